//! `mtcheck check`: one pair, one report.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use mtcheck::pipeline::check::{check_input, prepare, Prepared};
use mtcheck::pipeline::config::Sources;
use mtcheck::pipeline::input::check_size;
use mtcheck::report::{self, Detail, Format, TextOptions};
use mtcheck::util::fs::{same_file, write_atomic};

use super::{
    check_lang, configure_threads, gate_layer, load_model, one_model, GateArgs, ModelArgs,
};

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
    /// Text report: also list every aligned pair, clean or not (by default only the findings).
    #[arg(long, short = 'v', conflicts_with = "quiet")]
    pub alignment: bool,
    /// Text report: print the verdict line only.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Put each link's word alignment in the report (JSON `alignments[].words`): every word
    /// with its byte range, its partners on the other side and their similarity.
    #[arg(long)]
    pub details: bool,
    /// Print the word alignment of link N (counted from 1, as `--alignment` numbers links)
    /// instead of the report: which target words each source word aligns to, and how well.
    #[arg(long, value_name = "N", conflicts_with_all = ["quiet", "output"])]
    pub explain: Option<usize>,
    /// Colour in the text report (`auto`: only on a terminal and when NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Colour in the text report.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Runs `check`; returns the exit code.
pub fn run(args: CheckArgs) -> anyhow::Result<i32> {
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
        mut opts,
    } = prepare(
        &sources,
        &args.source,
        args.target.as_deref(),
        (args.src_lang.as_deref(), args.tgt_lang.as_deref()),
        &args.gate.limits(),
    )?;
    let (src_doc, tgt_doc) = input.documents();
    check_size([src_doc, tgt_doc], opts.max_sentences)?;
    let load_start = Instant::now();
    let loaded = load_model(&args.model, &settings)?;
    opts.reference = loaded.reference;
    opts.qe = loaded.qe;
    opts.details = args.details || args.explain.is_some();
    let load_s = load_start.elapsed().as_secs_f64();
    let mut report = check_input(&loaded.embedder, &input, &opts)?;
    report.timing.load_s = load_s;
    report.timing.total_s = started.elapsed().as_secs_f64();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        // anstream decides as other tools do: a terminal, and neither NO_COLOR nor TERM=dumb.
        Color::Auto => {
            args.output.is_none()
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    };
    let detail = if args.quiet {
        Detail::Quiet
    } else if args.alignment {
        Detail::Alignment
    } else {
        Detail::Findings
    };
    if let Some(n) = args.explain {
        let Some(text) = report::text::explain(&report, n) else {
            return Err(mtcheck::Error::Usage(format!(
                "--explain {n}: links are numbered 1 to {}, and only links with both a source and a target have words (see --alignment)",
                report.alignments.len()
            ))
            .into());
        };
        print!("{text}");
        return Ok(i32::from(settings.fail_on.fails(report.verdict)));
    }
    let rendered = report::render(&report, args.format, TextOptions { color, detail });
    match &args.output {
        Some(path) => write_atomic(path, rendered.as_bytes())?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(rendered.as_bytes());
        }
    }
    Ok(i32::from(settings.fail_on.fails(report.verdict)))
}
