//! Sentence embedding: resolving a model, loading its tokenizer and encoder, and turning texts into
//! unit vectors in length-sorted batches bounded by a token budget. Nothing outside this module sees
//! a candle tensor.

pub mod bench;
pub mod bert;
pub mod config;
pub mod convert;
pub mod resolve;
pub mod tokenizer;

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::Serialize;

use crate::error::{Error, Result};
pub use config::{Architecture, Config, Pooling, SentenceSettings};
pub use resolve::{resolve, ModelFiles, DEFAULT_MODEL};

/// Turns token sequences into pooled sentence vectors; one implementation per architecture/device
/// path, so that the rest of the program never depends on which.
pub trait Encoder: Send + Sync {
    /// Pooled (not yet normalised) vectors for right-padded `ids` with their `lens`.
    fn embed_batch(&self, ids: &[Vec<u32>]) -> Result<Vec<Vec<f32>>>;
    /// Longest sequence, special tokens included, one call accepts.
    fn max_tokens(&self) -> usize;
}

/// Where the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    #[default]
    Cpu,
    Cuda,
}

impl DeviceKind {
    fn device(self) -> Result<Device> {
        match self {
            DeviceKind::Cpu => Ok(Device::Cpu),
            DeviceKind::Cuda => Device::new_cuda(0).map_err(|e| {
                Error::Usage(format!(
                    "--device cuda is not available ({e}); this binary needs the `cuda` cargo feature and an NVIDIA driver"
                ))
            }),
        }
    }
}

/// The BERT-family encoder with its pooling and optional Dense head.
struct TransformerEncoder {
    encoder: bert::BertEncoder,
    pooling: Pooling,
    dense: Option<(candle_nn::Linear, bool)>,
    pad_id: u32,
    max_tokens: usize,
}

impl Encoder for TransformerEncoder {
    fn embed_batch(&self, ids: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
        let width = ids.iter().map(Vec::len).max().unwrap_or(0);
        let mut flat = Vec::with_capacity(ids.len() * width);
        let mut mask = Vec::with_capacity(ids.len() * width);
        for seq in ids {
            flat.extend_from_slice(seq);
            flat.extend(std::iter::repeat_n(self.pad_id, width - seq.len()));
            mask.extend(std::iter::repeat_n(1u32, seq.len()));
            mask.extend(std::iter::repeat_n(0u32, width - seq.len()));
        }
        let dev = self.encoder.device();
        let ids_t = Tensor::from_vec(flat, (ids.len(), width), dev)?;
        let mask_t = Tensor::from_vec(mask, (ids.len(), width), dev)?;
        let hidden = self.encoder.forward(&ids_t, &mask_t)?;
        let mut pooled = bert::pool(&hidden, &mask_t, self.pooling)?;
        if let Some((dense, tanh)) = &self.dense {
            pooled = candle_core::Module::forward(dense, &pooled)?;
            if *tanh {
                pooled = pooled.tanh()?;
            }
        }
        Ok(pooled.to_dtype(DType::F32)?.to_vec2()?)
    }

    fn max_tokens(&self) -> usize {
        self.max_tokens
    }
}

/// Padded tokens per forward pass by default. Measured with `mtcheck bench` (512 corpus lines,
/// multilingual-e5-small, 2 vCPUs): 1024 and 2048 run at the same speed, 4096 ~10-15% slower with
/// ~80 MB more peak RSS, 8192 ~30% slower; batches that fit in cache win.
pub const DEFAULT_TOKEN_BUDGET: usize = 2048;

/// Options for loading a model.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub device: DeviceKind,
    /// Padded tokens per forward pass; bounds memory and keeps batches cache-friendly.
    pub token_budget: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            device: DeviceKind::Cpu,
            token_budget: DEFAULT_TOKEN_BUDGET,
        }
    }
}

/// What the report says about the model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub id: String,
    pub device: DeviceKind,
    pub dtype: &'static str,
    pub architecture: Architecture,
    pub settings: SentenceSettings,
}

/// A loaded model: tokenizer, encoder and sentence settings.
pub struct Embedder {
    tokenizer: tokenizer::TextTokenizer,
    encoder: Box<dyn Encoder>,
    settings: SentenceSettings,
    token_budget: usize,
    pub info: ModelInfo,
}

/// Sentence vectors plus what happened on the way.
#[derive(Debug, Clone, Default)]
pub struct Embeddings {
    /// One unit vector per input text.
    pub vectors: Vec<Vec<f32>>,
    /// Texts longer than the model's maximum length, embedded as several windows.
    pub windowed: Vec<bool>,
    /// Tokens fed to the encoder (special tokens included).
    pub tokens: usize,
}

fn read_json<T: serde::de::DeserializeOwned>(id: &str, path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::model(id, format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::model(id, format!("{} is not valid: {e}", path.display())))
}

/// Reads pooling, Dense, normalisation and prefix from the sentence-transformers files, falling back
/// to the known-model table and then to mean pooling.
pub fn sentence_settings(files: &ModelFiles) -> Result<SentenceSettings> {
    let id = files.id.as_str();
    let known = config::known_model(id).or_else(|| {
        files
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(config::known_model)
    });
    let mut s = SentenceSettings {
        pooling: known.map_or(Pooling::Mean, |k| k.pooling),
        dense: None,
        normalize: true,
        prefix: known.map_or(String::new(), |k| k.prefix.to_string()),
        origin: if known.is_some() {
            "known-model table"
        } else {
            "defaults"
        },
    };
    let modules_path = files.dir.join("modules.json");
    if !modules_path.is_file() {
        return Ok(s);
    }
    s.origin = "model files";
    let modules: Vec<config::StModule> = read_json(id, &modules_path)?;
    for m in &modules {
        if m.kind.ends_with("Pooling") {
            let p: config::StPoolingConfig =
                read_json(id, &files.dir.join(&m.path).join("config.json"))?;
            s.pooling = if p.pooling_mode_cls_token && !p.pooling_mode_mean_tokens {
                Pooling::Cls
            } else {
                Pooling::Mean
            };
        } else if m.kind.ends_with("Dense") {
            let d: config::StDenseConfig =
                read_json(id, &files.dir.join(&m.path).join("config.json"))?;
            s.dense = Some(config::DenseSpec {
                in_features: d.in_features,
                out_features: d.out_features,
                bias: d.bias,
                tanh: d.activation_function.to_ascii_lowercase().contains("tanh"),
                dir: m.path.clone(),
            });
        }
    }
    // Cosine similarity is all mtcheck uses, so vectors are normalised whether or not the model
    // lists a Normalize module; `normalize` records what the model itself declares.
    s.normalize = modules.iter().any(|m| m.kind.ends_with("Normalize"));
    let st_path = files.dir.join("config_sentence_transformers.json");
    if st_path.is_file() {
        let st: config::StConfig = read_json(id, &st_path)?;
        if let Some(p) = st
            .prompts
            .get("passage")
            .or_else(|| st.prompts.get("document"))
        {
            s.prefix = p.clone();
        }
    }
    Ok(s)
}

fn mmap_var_builder<'a>(
    id: &str,
    path: &Path,
    dtype: DType,
    dev: &Device,
) -> Result<VarBuilder<'a>> {
    // Safety: the weights file is only read; mtcheck never writes to a model directory it loads.
    unsafe { VarBuilder::from_mmaped_safetensors(&[path], dtype, dev) }.map_err(|e| {
        Error::model(
            id,
            format!("{} is not a valid safetensors file: {e}", path.display()),
        )
    })
}

impl Embedder {
    /// Resolves and loads `spec` (a repo id or a directory).
    pub fn load(spec: &str, opts: &LoadOptions) -> Result<Self> {
        let files = resolve(spec)?;
        Self::load_files(&files, opts)
    }

    pub fn load_files(files: &ModelFiles, opts: &LoadOptions) -> Result<Self> {
        let id = files.id.as_str();
        let dev = opts.device.device()?;
        let cfg: Config = read_json(id, &files.dir.join("config.json"))?;
        cfg.validate()
            .map_err(|e| Error::model(id, format!("config.json: {e}")))?;
        let settings = sentence_settings(files)?;
        let tok_path = files.dir.join("tokenizer.json");
        // Truncation and padding are off: long texts are windowed here, never truncated silently
        // by the tokenizer. Unigram tokenizers load through a binary cache (see `tokenizer`).
        let (tokenizer, _) = tokenizer::TextTokenizer::load(
            &tok_path,
            tokenizer::default_cache_dir().as_deref(),
            tokenizer::CACHE_MIN_BYTES,
        )
        .map_err(|e| {
            Error::model(
                id,
                format!("{} is not a valid tokenizer: {e}", tok_path.display()),
            )
        })?;
        let dtype = DType::F32;
        let weights_path = files.dir.join("model.safetensors");
        // Safety: the weights file is only read; mtcheck never writes to a model directory it loads.
        let weights = unsafe { candle_core::safetensors::MmapedSafetensors::new(&weights_path) }
            .map_err(|e| {
                Error::model(
                    id,
                    format!(
                        "{} is not a valid safetensors file: {e}",
                        weights_path.display()
                    ),
                )
            })?;
        let encoder =
            bert::BertEncoder::load_mmaped(std::sync::Arc::new(weights), dtype, &dev, &cfg)
                .map_err(|e| {
                    Error::model(
                        id,
                        format!("model.safetensors does not match config.json: {e}"),
                    )
                })?;
        let dense = match &settings.dense {
            None => None,
            Some(d) => {
                let path = files.dir.join(&d.dir).join("model.safetensors");
                let vb = mmap_var_builder(id, &path, dtype, &dev)?;
                let lin = if d.bias {
                    candle_nn::linear(d.in_features, d.out_features, vb.pp("linear"))
                } else {
                    candle_nn::linear_no_bias(d.in_features, d.out_features, vb.pp("linear"))
                }
                .map_err(|e| Error::model(id, format!("{}: {e}", path.display())))?;
                Some((lin, d.tanh))
            }
        };
        // Padding is off in the tokenizer, so the config's pad id is the one batches use.
        let pad_id = cfg.pad_token_id as u32;
        let info = ModelInfo {
            id: id.to_string(),
            device: opts.device,
            dtype: "f32",
            architecture: cfg.architecture(),
            settings: settings.clone(),
        };
        let encoder = TransformerEncoder {
            encoder,
            pooling: settings.pooling,
            dense,
            pad_id,
            max_tokens: cfg.max_tokens(),
        };
        Ok(Self {
            tokenizer,
            encoder: Box::new(encoder),
            settings,
            token_budget: opts.token_budget.max(cfg.max_tokens()),
            info,
        })
    }

    /// Token ids of `text` with the model's prefix and special tokens.
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>> {
        let input = format!(
            "{}{}",
            self.settings.prefix,
            crate::text::for_embedding(text)
        );
        self.tokenizer
            .encode_ids(input)
            .map_err(|e| Error::Internal(format!("tokenizer: {e}")))
    }

    /// Embeds `texts` into unit vectors.
    pub fn embed(&self, texts: &[&str]) -> Result<Embeddings> {
        let encoded: Vec<Vec<u32>> = {
            use rayon::prelude::*;
            texts
                .par_iter()
                .map(|t| self.tokenize(t))
                .collect::<Result<_>>()?
        };
        // Split over-long sequences into windows; remember which text each window belongs to.
        let max = self.encoder.max_tokens();
        let mut seqs: Vec<Vec<u32>> = Vec::new();
        let mut owner: Vec<usize> = Vec::new();
        let mut windowed = vec![false; texts.len()];
        for (i, ids) in encoded.into_iter().enumerate() {
            if ids.len() <= max {
                seqs.push(ids);
                owner.push(i);
            } else {
                windowed[i] = true;
                for w in windows(&ids, max) {
                    seqs.push(w);
                    owner.push(i);
                }
            }
        }
        let tokens = seqs.iter().map(Vec::len).sum();
        let pooled = self.embed_sequences(&seqs)?;
        // Combine windows by token-weighted mean, then normalise.
        let dim = pooled.first().map_or(0, Vec::len);
        let mut sums = vec![vec![0f32; dim]; texts.len()];
        let mut weights = vec![0f32; texts.len()];
        for ((v, &o), s) in pooled.iter().zip(&owner).zip(&seqs) {
            let w = s.len() as f32;
            for (a, b) in sums[o].iter_mut().zip(v) {
                *a += w * b;
            }
            weights[o] += w;
        }
        let vectors = sums.into_iter().map(normalized).collect();
        Ok(Embeddings {
            vectors,
            windowed,
            tokens,
        })
    }

    /// Pooled vectors for token sequences, run in length-sorted batches within the token budget.
    fn embed_sequences(&self, seqs: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
        let mut order: Vec<usize> = (0..seqs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(seqs[i].len()));
        let mut out = vec![Vec::new(); seqs.len()];
        for batch in token_budget_batches(&order, |i| seqs[i].len(), self.token_budget) {
            let ids: Vec<Vec<u32>> = batch.iter().map(|&i| seqs[i].clone()).collect();
            for (&i, v) in batch.iter().zip(self.encoder.embed_batch(&ids)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    pub fn max_tokens(&self) -> usize {
        self.encoder.max_tokens()
    }

    /// Padded tokens per forward pass.
    pub fn token_budget(&self) -> usize {
        self.token_budget
    }
}

/// Groups items (already sorted by decreasing length) so that each group's padded size,
/// `count × longest`, stays within `budget`.
pub fn token_budget_batches(
    order: &[usize],
    len: impl Fn(usize) -> usize,
    budget: usize,
) -> Vec<Vec<usize>> {
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut longest = 0;
    for &i in order {
        let l = len(i);
        let new_longest = longest.max(l);
        if !current.is_empty() && new_longest * (current.len() + 1) > budget {
            batches.push(std::mem::take(&mut current));
            longest = 0;
        }
        longest = longest.max(l);
        current.push(i);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// Cuts an over-long sequence into overlapping windows of at most `max` tokens, each keeping the
/// sequence's first and last special token.
pub fn windows(ids: &[u32], max: usize) -> Vec<Vec<u32>> {
    let (first, last) = (ids[0], ids[ids.len() - 1]);
    let body = &ids[1..ids.len() - 1];
    let size = max - 2;
    let stride = (size * 3 / 4).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + size).min(body.len());
        let mut w = Vec::with_capacity(end - start + 2);
        w.push(first);
        w.extend_from_slice(&body[start..end]);
        w.push(last);
        out.push(w);
        if end == body.len() {
            break;
        }
        start += stride;
    }
    out
}

/// `v` scaled to unit length (a zero vector stays zero).
pub fn normalized(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
    v
}

/// All pairwise dot products of `a` and `b` (row-major `a.len() × b.len()`), as one matrix
/// product.
pub fn cosine_matrix(a: &[Vec<f32>], b: &[Vec<f32>]) -> Vec<f32> {
    let (n, m) = (a.len(), b.len());
    let dim = a.first().or(b.first()).map_or(0, Vec::len);
    if n == 0 || m == 0 || dim == 0 {
        return vec![0.0; n * m];
    }
    let product = || -> candle_core::Result<Vec<f32>> {
        let ta = Tensor::from_iter(a.iter().flatten().copied(), &Device::Cpu)?.reshape((n, dim))?;
        let tb = Tensor::from_iter(b.iter().flatten().copied(), &Device::Cpu)?.reshape((m, dim))?;
        ta.matmul(&tb.t()?)?.flatten_all()?.to_vec1()
    };
    // The product cannot fail for well-formed inputs; fall back to plain loops if it ever does.
    product().unwrap_or_else(|_| {
        a.iter()
            .flat_map(|x| b.iter().map(move |y| dot(x, y)))
            .collect()
    })
}

/// Dot product (cosine for unit vectors).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_every_token_and_keep_special_tokens() {
        let ids: Vec<u32> = (0..1000).collect();
        let ws = windows(&ids, 100);
        assert!(ws
            .iter()
            .all(|w| w.len() <= 100 && w[0] == 0 && *w.last().unwrap() == 999));
        let mut seen = std::collections::BTreeSet::new();
        for w in &ws {
            seen.extend(w[1..w.len() - 1].iter().copied());
        }
        assert_eq!(seen.len(), 998);
    }

    #[test]
    fn batches_respect_the_token_budget() {
        let lens = [50usize, 40, 40, 30, 10, 10, 10, 5];
        let order: Vec<usize> = (0..lens.len()).collect();
        let batches = token_budget_batches(&order, |i| lens[i], 100);
        for b in &batches {
            let longest = b.iter().map(|&i| lens[i]).max().unwrap();
            assert!(longest * b.len() <= 100 || b.len() == 1);
        }
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), lens.len());
    }
}
