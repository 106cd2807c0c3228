//! `mtcheck align-words`: word alignment of `source ||| target` lines, as Pharaoh links, and its
//! alignment error rate against gold links.

use std::path::PathBuf;

use clap::Args;

use mtcheck::formats::read_text;
use mtcheck::tools::wordalign;
use mtcheck::util::fs::write_atomic;
use mtcheck::wordalign::{Method, Words};

use super::{configure_threads, load_model, model_sources, one_model, ModelArgs};

#[derive(Args)]
pub struct AlignWordsArgs {
    /// Sentence pairs, one per line as `source ||| target` (fast_align and awesome-align's
    /// format). Words are what whitespace separates, as in pre-tokenised gold sets.
    pub pairs: PathBuf,
    /// Gold links for the same lines (`i-j` sure, `ipj` possible; 1-based when no index is 0):
    /// prints the alignment error rate, precision and recall.
    #[arg(long, value_name = "FILE")]
    pub gold: Option<PathBuf>,
    /// Encoder layer whose hidden states are compared (default: 7 of 12, scaled to the model's
    /// depth; the layer `check` uses).
    #[arg(long)]
    pub layer: Option<usize>,
    /// How links are chosen: mutual best matches (`argmax`) or a second round among the
    /// words left over (`itermax`).
    #[arg(long, value_enum, default_value_t = Method::Argmax)]
    pub method: Method,
    /// Write the Pharaoh links (`0-0 1-2 …`, 0-based, one line per pair) here (atomically)
    /// instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Runs `align-words`; returns the exit code.
pub fn run(args: AlignWordsArgs) -> anyhow::Result<i32> {
    one_model(&args.model, "align-words")?;
    configure_threads(args.model.threads)?;
    let max = mtcheck::formats::DEFAULT_MAX_INPUT_BYTES;
    let pairs = wordalign::read_pairs(&args.pairs, &read_text(&args.pairs, max)?)?;
    let gold = match &args.gold {
        Some(path) => {
            let gold = wordalign::read_gold(path, &read_text(path, max)?)?;
            if gold.len() != pairs.len() {
                return Err(mtcheck::Error::input(
                    path,
                    format!(
                        "has {} lines of links for {} sentence pairs in {}",
                        gold.len(),
                        pairs.len(),
                        args.pairs.display()
                    ),
                )
                .into());
            }
            Some(gold)
        }
        None => None,
    };
    let settings = model_sources(&args.model)?.resolve(None)?;
    let loaded = load_model(&args.model, &settings)?;
    let embedder = &loaded.embedder;
    let layers = embedder.num_layers();
    let layer = args
        .layer
        .unwrap_or_else(|| wordalign::default_layer(layers));
    if layer == 0 || layer > layers {
        return Err(mtcheck::Error::Usage(format!(
            "--layer {layer}: the model has layers 1 to {layers}"
        ))
        .into());
    }
    let aligned = wordalign::align_pairs(embedder, &pairs, layer, args.method, Words::Whitespace)?;
    let mut out: String = aligned
        .iter()
        .map(|wa| wordalign::pharaoh(wa) + "\n")
        .collect();
    match &args.output {
        Some(path) => write_atomic(path, out.as_bytes())?,
        None => print!("{}", std::mem::take(&mut out)),
    }
    if let Some(gold) = gold {
        let c = wordalign::score(&aligned, &gold);
        eprintln!(
            "layer {layer} {:?}: AER {:.3}  precision {:.3}  recall {:.3}  ({} pairs, {} links, {} sure gold links)",
            args.method,
            c.aer(),
            c.precision(),
            c.recall(),
            pairs.len(),
            c.predicted,
            c.sure
        );
    }
    Ok(0)
}
