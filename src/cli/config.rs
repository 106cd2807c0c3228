//! `mtcheck config show` and `mtcheck cache stats|clear`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use mtcheck::model;
use mtcheck::pipeline::config::{default_cache_path, Layer, Sources};

#[derive(Subcommand)]
pub enum CacheCommand {
    /// Entries per model and the file's size.
    Stats(CacheArgs),
    /// Delete cached embeddings (all, or one model's with --model-identity).
    Clear {
        #[command(flatten)]
        cache: CacheArgs,
        /// Only entries of this model identity (as listed by `cache stats`).
        #[arg(long)]
        model_identity: Option<String>,
    },
}

#[derive(Args)]
pub struct CacheArgs {
    /// The cache file (default: the settings' cache, else ~/.cache/mtcheck/embeddings.sqlite).
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
    /// Settings file (default: MTCHECK_CONFIG, else ./mtcheck.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Runs a `cache` subcommand; returns the exit code.
pub fn run_cache(cmd: CacheCommand) -> anyhow::Result<i32> {
    let (args, identity) = match &cmd {
        CacheCommand::Stats(a) => (a, None),
        CacheCommand::Clear {
            cache,
            model_identity,
        } => (cache, Some(model_identity.as_deref())),
    };
    let settings = Sources::load(Layer::default(), args.config.as_deref())?.resolve(None)?;
    let path = args
        .cache
        .clone()
        .or(settings.cache)
        .or_else(default_cache_path)
        .context("no cache file: give --cache FILE")?;
    if !path.is_file() {
        println!("{}: no cache yet", path.display());
        return Ok(0);
    }
    let cache = model::EmbeddingCache::open(&path)?;
    match identity {
        None => {
            let stats = cache.stats()?;
            println!(
                "{}: {} embeddings, {:.1} MB",
                path.display(),
                stats.entries(),
                stats.file_bytes as f64 / 1e6
            );
            for m in &stats.models {
                println!("{:>10}  {}", m.entries, m.model);
            }
        }
        Some(model) => {
            let n = cache.clear(model)?;
            println!("{}: deleted {n} embeddings", path.display());
        }
    }
    Ok(0)
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
