//! Sentence embedding: resolving a model, loading its tokenizer and encoder, and turning texts into
//! unit vectors in length-sorted batches bounded by a token budget. On the CPU in f32 and q8 a
//! batch's sequences are packed back to back without padding; elsewhere they are right-padded to
//! the longest. Nothing outside this module sees a candle tensor.

pub mod attention;
pub mod bert;
pub mod cache;
pub mod config;
pub mod convert;
pub mod f32linear;
pub mod q8;
pub mod resolve;
pub mod tokenizer;
pub mod vecmath;

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::Serialize;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::util::vector::{dot, normalized};
pub use cache::{CacheStats, EmbeddingCache};
pub use config::{Architecture, Config, Pooling, SentenceSettings};
pub use resolve::{resolve, ModelFiles, DEFAULT_MODEL};

/// Turns token sequences into pooled sentence vectors; one implementation per architecture/device
/// path, so that the rest of the program never depends on which.
pub trait Encoder: Send + Sync {
    /// Pooled (not yet normalised) vectors for the sequences `ids`, one batch.
    fn embed_batch(&self, ids: &[Vec<u32>]) -> Result<Vec<Vec<f32>>>;
    /// Longest sequence, special tokens included, one call accepts.
    fn max_tokens(&self) -> usize;
    /// Per-token hidden states after `layer` layers (0 = embeddings; more than the model has =
    /// the last) for the sequences `ids`, one batch: one f32 row per real token of each sequence.
    fn token_states(&self, ids: &[Vec<u32>], layer: usize) -> Result<Vec<Vec<Vec<f32>>>>;
    /// Whether batches run without padding (sequences packed back to back): the token budget then
    /// bounds real tokens, and no padding is computed.
    fn padding_free(&self) -> bool {
        false
    }
    /// Pooled vectors (as `embed_batch`) and the per-token hidden states after `layer` layers (as
    /// `token_states`) of one batch from a single forward pass; `None` where the encoder cannot
    /// stop in the middle (the padded path), and the caller runs the two passes.
    #[allow(clippy::type_complexity)]
    fn embed_with_states(
        &self,
        _ids: &[Vec<u32>],
        _layer: usize,
    ) -> Result<Option<Vec<(Vec<f32>, Vec<Vec<f32>>)>>> {
        Ok(None)
    }
    /// Number of transformer layers.
    fn num_layers(&self) -> usize;
    /// Nanoseconds spent so far in the forward pass and in pooling (for `mtcheck bench`; on a
    /// GPU, whose kernels run asynchronously, the forward pass is counted with pooling).
    fn stage_nanos(&self) -> [u64; 2] {
        [0, 0]
    }
}

/// Where embedding time went, for `mtcheck bench`.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StageTimes {
    pub tokenise_s: f64,
    pub forward_s: f64,
    pub pool_s: f64,
    /// Tokens fed to the encoder including padding: batches are padded to their longest, except on
    /// the padding-free path (CPU f32 and q8), where this equals the tokens.
    pub padded_tokens: u64,
    /// Tokens run through the lower layers for token-level checks (word alignment, truncation
    /// coverage), counted apart from the embedding passes (not part of `bench` output).
    #[serde(skip)]
    pub state_tokens: u64,
}

/// Adds the time `f` takes to `counter` (nanoseconds).
fn timed<T>(counter: &AtomicU64, f: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let out = f();
    counter.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
    out
}

/// Where the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    #[default]
    Cpu,
    Cuda,
}

impl DeviceKind {
    /// Tokens per forward pass when none is asked for: CPU batches that fit in cache win,
    /// while a GPU needs thousands of sequences at once to fill its cores.
    pub fn default_token_budget(self) -> usize {
        match self {
            DeviceKind::Cpu => DEFAULT_TOKEN_BUDGET,
            DeviceKind::Cuda => DEFAULT_CUDA_TOKEN_BUDGET,
        }
    }

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
    forward_ns: AtomicU64,
    pool_ns: AtomicU64,
}

impl Encoder for TransformerEncoder {
    fn embed_batch(&self, ids: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
        if self.encoder.packs() {
            let (ids_t, offsets) = self.packed(ids)?;
            let layers = self.encoder.num_layers();
            let hidden = timed(&self.forward_ns, || {
                self.encoder.forward_packed(&ids_t, &offsets, layers)
            })?;
            return timed(&self.pool_ns, || {
                self.head(bert::pool_packed(&hidden, &offsets, self.pooling)?)
            });
        }
        let (ids_t, mask_t) = self.padded(ids)?;
        let hidden = timed(&self.forward_ns, || self.encoder.forward(&ids_t, &mask_t))?;
        timed(&self.pool_ns, || {
            self.head(bert::pool(&hidden, &mask_t, self.pooling)?)
        })
    }

    fn stage_nanos(&self) -> [u64; 2] {
        [
            self.forward_ns.load(Ordering::Relaxed),
            self.pool_ns.load(Ordering::Relaxed),
        ]
    }

    fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    fn token_states(&self, ids: &[Vec<u32>], layer: usize) -> Result<Vec<Vec<Vec<f32>>>> {
        if self.encoder.packs() {
            let (ids_t, offsets) = self.packed(ids)?;
            let hidden = self.encoder.forward_packed(&ids_t, &offsets, layer)?;
            let rows: Vec<Vec<f32>> = hidden.to_dtype(DType::F32)?.to_vec2()?;
            let mut rows = rows.into_iter();
            return Ok(ids
                .iter()
                .map(|seq| rows.by_ref().take(seq.len()).collect())
                .collect());
        }
        let (ids_t, mask_t) = self.padded(ids)?;
        let hidden = self.encoder.forward_layers(&ids_t, &mask_t, layer)?;
        let mut all: Vec<Vec<Vec<f32>>> = hidden.to_dtype(DType::F32)?.to_vec3()?;
        for (rows, seq) in all.iter_mut().zip(ids) {
            rows.truncate(seq.len());
        }
        Ok(all)
    }

    fn embed_with_states(
        &self,
        ids: &[Vec<u32>],
        layer: usize,
    ) -> Result<Option<Vec<(Vec<f32>, Vec<Vec<f32>>)>>> {
        if !self.encoder.packs() || layer >= self.encoder.num_layers() {
            return Ok(None);
        }
        let (ids_t, offsets) = self.packed(ids)?;
        let (pooled, rows) = timed(&self.forward_ns, || -> Result<_> {
            let middle = self.encoder.forward_packed(&ids_t, &offsets, layer)?;
            let rows: Vec<Vec<f32>> = middle.to_dtype(DType::F32)?.to_vec2()?;
            let last = self.encoder.forward_packed_from(&middle, &offsets, layer)?;
            Ok((last, rows))
        })?;
        let vectors = timed(&self.pool_ns, || {
            self.head(bert::pool_packed(&pooled, &offsets, self.pooling)?)
        })?;
        let mut rows = rows.into_iter();
        Ok(Some(
            vectors
                .into_iter()
                .zip(ids)
                .map(|(v, seq)| (v, rows.by_ref().take(seq.len()).collect()))
                .collect(),
        ))
    }

    fn num_layers(&self) -> usize {
        self.encoder.num_layers()
    }

    fn padding_free(&self) -> bool {
        self.encoder.packs()
    }
}

impl TransformerEncoder {
    /// The Dense head (if any) over pooled [batch, hidden] vectors, as f32 rows.
    fn head(&self, mut pooled: Tensor) -> Result<Vec<Vec<f32>>> {
        if let Some((dense, tanh)) = &self.dense {
            pooled = candle_core::Module::forward(dense, &pooled)?;
            if *tanh {
                pooled = pooled.tanh()?;
            }
        }
        Ok(pooled.to_dtype(DType::F32)?.to_vec2()?)
    }

    /// Packs `ids` back to back into one [total] id tensor, with the sequence offsets.
    fn packed(&self, ids: &[Vec<u32>]) -> Result<(Tensor, Vec<usize>)> {
        let (flat, offsets) = bert::pack(ids);
        let total = flat.len();
        Ok((
            Tensor::from_vec(flat, total, self.encoder.device())?,
            offsets,
        ))
    }

    /// Right-pads `ids` into one [batch, width] id tensor and its 1/0 attention mask.
    fn padded(&self, ids: &[Vec<u32>]) -> Result<(Tensor, Tensor)> {
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
        Ok((ids_t, mask_t))
    }
}

/// One text's tokens at some layer: each token's byte range in the text and its hidden state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenStates {
    pub spans: Vec<std::ops::Range<usize>>,
    pub states: Vec<Vec<f32>>,
}

/// The rows of a text's own tokens (those with a span), with their spans.
fn token_states_of(rows: Vec<Vec<f32>>, own: Vec<Option<std::ops::Range<usize>>>) -> TokenStates {
    let (spans, states) = own
        .into_iter()
        .zip(rows)
        .filter_map(|(span, row)| span.map(|s| (s, row)))
        .unzip();
    TokenStates { spans, states }
}

/// The text the tokenizer gets (`prefix` + the text as embedded) and, for each byte position of
/// the embedded text and one past its end, the byte position in `text` it comes from.
fn embedding_input(prefix: &str, text: &str) -> (String, Vec<usize>) {
    let kept = crate::text::for_embedding(text);
    let mut origin = Vec::with_capacity(kept.len() + 1);
    if matches!(kept, std::borrow::Cow::Borrowed(_)) {
        origin.extend(0..=text.len());
    } else {
        let mut k = kept.char_indices().peekable();
        for (i, c) in text.char_indices() {
            if k.peek().is_some_and(|&(_, kc)| kc == c) {
                k.next();
                origin.extend(std::iter::repeat_n(i, c.len_utf8()));
            }
        }
        origin.push(text.len());
    }
    (format!("{prefix}{kept}"), origin)
}

/// Number format of the encoder's layers. Matrix products accumulate in f32 (candle's CUDA
/// matmul does unless reduced precision is switched on), and pooling, the Dense head and
/// normalisation always run in f32, so only the per-layer activations and weights are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ModelDtype {
    #[default]
    F32,
    F16,
    Bf16,
    /// Int8 weights (quantised at load) and activations (per token) in the Q/K/V, attention
    /// output and feed-forward projections, f32 elsewhere; CPU only.
    Q8,
}

impl ModelDtype {
    /// The dtype activations are computed in.
    pub fn compute(self) -> DType {
        match self {
            ModelDtype::F32 | ModelDtype::Q8 => DType::F32,
            ModelDtype::F16 => DType::F16,
            ModelDtype::Bf16 => DType::BF16,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ModelDtype::F32 => "f32",
            ModelDtype::F16 => "f16",
            ModelDtype::Bf16 => "bf16",
            ModelDtype::Q8 => "q8",
        }
    }
}

/// Bumped by any change that alters the vectors a model computes for a text (kernels, pooling,
/// the text normalisation before tokenising), so that the embedding cache never serves vectors an
/// earlier build computed differently. 2: packed AVX-512 and int8 kernels, padding-free batches.
/// 3: q8's compensated rounding (three int8 products; q8 vectors changed, f32 ones did not).
pub const NUMERICS_REVISION: u32 = 3;

/// Tokens per forward pass by default on the CPU (real tokens: CPU batches in f32 and q8 are
/// packed without padding). Measured with `mtcheck bench` (512 corpus lines, multilingual-e5-small,
/// 2 vCPUs) when batches were still padded: 1024 and 2048 run at the same speed, 4096 ~10-15%
/// slower with ~80 MB more peak RSS, 8192 ~30% slower; batches that fit in cache win.
pub const DEFAULT_TOKEN_BUDGET: usize = 2048;

/// Padded tokens per forward pass on a GPU: with ~30-token sentences, about a thousand sentences
/// per batch. The largest attention tensor stays small (a 512-token window gives 64 sequences,
/// 64 × 12 heads × 512² scores, 0.8 GB in f32), far within a data-centre GPU's memory.
pub const DEFAULT_CUDA_TOKEN_BUDGET: usize = 32768;

/// Texts per chunk when tokenisation overlaps the forward pass (CUDA): about three default GPU
/// batches of ~30-token sentences, so that length sorting still groups well within a chunk.
pub const PIPELINE_CHUNK: usize = 3072;

/// Options for loading a model.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub device: DeviceKind,
    /// Tokens per forward pass (real tokens on the padding-free CPU path, padded elsewhere);
    /// bounds memory and keeps batches cache-friendly.
    pub token_budget: usize,
    /// Number format of the encoder layers.
    pub dtype: ModelDtype,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            device: DeviceKind::Cpu,
            token_budget: DEFAULT_TOKEN_BUDGET,
            dtype: ModelDtype::F32,
        }
    }
}

/// What the report says about the model.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ModelInfo {
    pub id: String,
    pub device: DeviceKind,
    pub dtype: std::borrow::Cow<'static, str>,
    pub architecture: Architecture,
    pub settings: SentenceSettings,
}

/// A loaded model: tokenizer, encoder and sentence settings.
pub struct Embedder {
    tokenizer: tokenizer::TextTokenizer,
    encoder: Box<dyn Encoder>,
    settings: SentenceSettings,
    token_budget: usize,
    /// Sizes and modification times of the files that determine the vectors, taken at load: part
    /// of the cache identity, so that replaced weights never meet their predecessor's vectors.
    files_fingerprint: String,
    /// When set, `embed` looks vectors up here first and stores what it computes.
    cache: Option<EmbeddingCache>,
    /// The folder the model's files were read from (where a model may keep its own reference
    /// distributions).
    dir: std::path::PathBuf,
    /// Tokenisation time (ns) and tokens computed (padding included) so far, for
    /// [`Embedder::stage_times`].
    tokenise_ns: AtomicU64,
    padded_tokens: AtomicU64,
    state_tokens: AtomicU64,
    /// See [`Embedder::set_pipeline_chunk`].
    pipeline_chunk: Option<usize>,
    pub info: ModelInfo,
}

/// Sentence vectors plus what happened on the way.
#[derive(Debug, Clone, Default)]
pub struct Embeddings {
    /// One unit vector per input text.
    pub vectors: Vec<Vec<f32>>,
    /// Texts longer than the model's maximum length, embedded as several windows.
    pub windowed: Vec<bool>,
    /// Tokens of each text (prefix and special tokens included, before windowing).
    pub lengths: Vec<usize>,
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
            "known-model table".into()
        } else {
            "defaults".into()
        },
    };
    let modules_path = files.dir.join("modules.json");
    if !modules_path.is_file() {
        return Ok(s);
    }
    s.origin = "model files".into();
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

/// `name:size:mtime` of each file that exists; a file that cannot be inspected still contributes
/// its name, so the fingerprint is never silently empty.
fn files_fingerprint(dir: &Path, names: &[String]) -> String {
    names
        .iter()
        .map(|name| {
            let meta = std::fs::metadata(dir.join(name)).ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let mtime = meta
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{name}:{size}:{mtime}")
        })
        .collect::<Vec<_>>()
        .join(",")
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
        if opts.dtype == ModelDtype::Q8 && opts.device != DeviceKind::Cpu {
            return Err(Error::Usage(
                "--dtype q8 runs on the CPU only; use --device cpu or --dtype f32".into(),
            ));
        }
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
        let dtype = opts.dtype.compute();
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
        let mut encoder =
            bert::BertEncoder::load_mmaped(std::sync::Arc::new(weights), dtype, &dev, &cfg)
                .map_err(|e| {
                    Error::model(
                        id,
                        format!("model.safetensors does not match config.json: {e}"),
                    )
                })?;
        match opts.dtype {
            ModelDtype::Q8 => encoder
                .quantize_q8(q8::Kernel::choose().map_err(Error::Usage)?)
                .map_err(|e| Error::model(id, format!("int8 quantisation: {e}")))?,
            ModelDtype::F32 => {
                encoder.pack_f32(f32linear::F32Kernel::choose().map_err(Error::Usage)?)?
            }
            ModelDtype::F16 | ModelDtype::Bf16 => {}
        }
        let dense = match &settings.dense {
            None => None,
            Some(d) => {
                let path = files.dir.join(&d.dir).join("model.safetensors");
                // Pooled vectors are f32 whatever the encoder's dtype, and so is the head.
                let vb = mmap_var_builder(id, &path, DType::F32, &dev)?;
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
            dtype: opts.dtype.name().into(),
            architecture: cfg.architecture(),
            settings: settings.clone(),
        };
        let mut fingerprinted: Vec<String> = ["config.json", "tokenizer.json", "model.safetensors"]
            .map(String::from)
            .to_vec();
        if let Some(d) = &settings.dense {
            fingerprinted.push(format!("{}/model.safetensors", d.dir));
        }
        let files_fingerprint = files_fingerprint(&files.dir, &fingerprinted);
        let encoder = TransformerEncoder {
            encoder,
            pooling: settings.pooling,
            dense,
            pad_id,
            max_tokens: cfg.max_tokens(),
            forward_ns: AtomicU64::new(0),
            pool_ns: AtomicU64::new(0),
        };
        Ok(Self {
            tokenizer,
            encoder: Box::new(encoder),
            settings,
            token_budget: opts.token_budget.max(cfg.max_tokens()),
            files_fingerprint,
            cache: None,
            dir: files.dir.clone(),
            tokenise_ns: AtomicU64::new(0),
            padded_tokens: AtomicU64::new(0),
            state_tokens: AtomicU64::new(0),
            // A few GPU batches' worth of ~30-token sentences.
            pipeline_chunk: (opts.device == DeviceKind::Cuda).then_some(PIPELINE_CHUNK),
            info,
        })
    }

    /// Routes every later `embed` through `cache`.
    pub fn set_cache(&mut self, cache: EmbeddingCache) {
        self.cache = Some(cache);
    }

    /// The folder the model was loaded from.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
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

    /// Embeds `texts` into unit vectors (through the cache when one is set).
    pub fn embed(&self, texts: &[&str]) -> Result<Embeddings> {
        self.embed_cached(texts, self.cache.as_ref())
    }

    /// Embeds `texts` with the encoder, never the cache.
    pub fn embed_uncached(&self, texts: &[&str]) -> Result<Embeddings> {
        let Some(chunk) = self.pipeline_chunk.filter(|&c| c > 0 && c < texts.len()) else {
            return self.embed_tokenized(self.tokenize_all(texts)?);
        };
        // On a GPU the forward pass runs while the CPU threads tokenise the next chunk.
        let parts: Vec<&[&str]> = texts.chunks(chunk).collect();
        let mut out = Embeddings::default();
        let mut next = Some(self.tokenize_all(parts[0]));
        for k in 0..parts.len() {
            let current = next.take().unwrap_or_else(|| Ok(Vec::new()))?;
            let (done, following) = rayon::join(
                || self.embed_tokenized(current),
                || parts.get(k + 1).map(|p| self.tokenize_all(p)),
            );
            next = following;
            let done = done?;
            out.vectors.extend(done.vectors);
            out.windowed.extend(done.windowed);
            out.lengths.extend(done.lengths);
            out.tokens += done.tokens;
        }
        Ok(out)
    }

    /// Token ids of every text, tokenised in parallel.
    fn tokenize_all(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>> {
        timed(&self.tokenise_ns, || {
            use rayon::prelude::*;
            texts
                .par_iter()
                .map(|t| self.tokenize(t))
                .collect::<Result<_>>()
        })
    }

    /// Encodes already tokenised texts into unit vectors.
    fn embed_tokenized(&self, encoded: Vec<Vec<u32>>) -> Result<Embeddings> {
        let n = encoded.len();
        // Split over-long sequences into windows; remember which text each window belongs to.
        let max = self.encoder.max_tokens();
        let mut seqs: Vec<Vec<u32>> = Vec::new();
        let mut owner: Vec<usize> = Vec::new();
        let mut windowed = vec![false; n];
        let lengths = encoded.iter().map(Vec::len).collect();
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
        let mut sums = vec![vec![0f32; dim]; n];
        let mut weights = vec![0f32; n];
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
            lengths,
            tokens,
        })
    }

    /// Texts per pipelined chunk (`None`: tokenise everything, then encode). Set for CUDA at
    /// load; the CPU gains nothing, as tokenising would take threads from the forward pass.
    pub fn set_pipeline_chunk(&mut self, chunk: Option<usize>) {
        self.pipeline_chunk = chunk;
    }

    /// What a cached vector of this model is keyed by: everything that changes the vector of a
    /// given text. The mtcheck version stands for the text normalisation and the encoder code;
    /// the device is left out, since CPU and CUDA agree to rounding.
    pub fn cache_identity(&self) -> String {
        // The version alone is not enough: builds of one version with other kernels would reuse
        // each other's vectors.
        let s = &self.info.settings;
        let dense = s.dense.as_ref().map_or("none".to_string(), |d| {
            format!("{}x{}:{}:{}", d.in_features, d.out_features, d.bias, d.tanh)
        });
        format!(
            "mtcheck {} r{}|{}|{}|pooling={:?}|prefix={:?}|dense={dense}|files={}",
            env!("CARGO_PKG_VERSION"),
            NUMERICS_REVISION,
            self.info.id,
            self.info.dtype,
            s.pooling,
            s.prefix,
            self.files_fingerprint,
        )
    }

    /// `embed` through `cache`: only texts without a cached vector are embedded (each distinct
    /// text once) and then stored. Vectors come back in input order; `tokens` counts only the
    /// tokens actually fed to the encoder. Without a cache this is `embed`.
    pub fn embed_cached(
        &self,
        texts: &[&str],
        cache: Option<&EmbeddingCache>,
    ) -> Result<Embeddings> {
        let Some(cache) = cache else {
            return self.embed_uncached(texts);
        };
        let identity = self.cache_identity();
        let found = cache.get_many(&identity, texts)?;
        let mut miss_slot: HashMap<&str, usize> = HashMap::new();
        let mut misses: Vec<&str> = Vec::new();
        for (text, hit) in texts.iter().zip(&found) {
            if hit.is_none() {
                miss_slot.entry(text).or_insert_with(|| {
                    misses.push(text);
                    misses.len() - 1
                });
            }
        }
        let fresh = if misses.is_empty() {
            Embeddings::default()
        } else {
            self.embed_uncached(&misses)?
        };
        let items: Vec<(&str, &[f32])> = misses
            .iter()
            .zip(&fresh.vectors)
            .map(|(t, v)| (*t, v.as_slice()))
            .collect();
        cache.put_many(&identity, &items)?;
        // A cached text's length (and so whether it was windowed) needs only the tokenizer.
        let max = self.encoder.max_tokens();
        let cached_lengths: Vec<Option<usize>> = {
            use rayon::prelude::*;
            texts
                .par_iter()
                .zip(&found)
                .map(|(t, hit)| match hit {
                    Some(_) => self.tokenize(t).map(|ids| Some(ids.len())),
                    None => Ok(None),
                })
                .collect::<Result<_>>()?
        };
        let mut out = Embeddings {
            tokens: fresh.tokens,
            ..Embeddings::default()
        };
        for ((text, hit), len) in texts.iter().zip(found).zip(cached_lengths) {
            match (hit, len) {
                (Some(v), Some(len)) => {
                    out.vectors.push(v);
                    out.windowed.push(len > max);
                    out.lengths.push(len);
                }
                _ => {
                    let slot = miss_slot.get(text).copied().ok_or_else(|| {
                        Error::Internal(format!("embed_cached: no vector for {text:?}"))
                    })?;
                    out.vectors.push(fresh.vectors[slot].clone());
                    out.windowed.push(fresh.windowed[slot]);
                    out.lengths.push(fresh.lengths[slot]);
                }
            }
        }
        Ok(out)
    }

    /// Pooled vectors for token sequences, run in length-sorted batches within the token budget.
    fn embed_sequences(&self, seqs: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
        self.batched(seqs, &self.padded_tokens, |ids| {
            self.encoder.embed_batch(ids)
        })
    }

    /// Runs `run` over `seqs` sorted by length in batches within the token budget (real tokens when
    /// the encoder packs, padded ones otherwise), and returns its results in the order of `seqs`.
    fn batched<T: Clone + Default>(
        &self,
        seqs: &[Vec<u32>],
        tokens: &AtomicU64,
        run: impl Fn(&[Vec<u32>]) -> Result<Vec<T>>,
    ) -> Result<Vec<T>> {
        let mut order: Vec<usize> = (0..seqs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(seqs[i].len()));
        let mut out = vec![T::default(); seqs.len()];
        let layout = if self.encoder.padding_free() {
            BatchLayout::Packed
        } else {
            BatchLayout::Padded
        };
        for batch in token_budget_batches(&order, |i| seqs[i].len(), self.token_budget, layout) {
            let ids: Vec<Vec<u32>> = batch.iter().map(|&i| seqs[i].clone()).collect();
            let lens: Vec<usize> = ids.iter().map(Vec::len).collect();
            tokens.fetch_add(layout.tokens(&lens) as u64, Ordering::Relaxed);
            for (&i, v) in batch.iter().zip(run(&ids)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    pub fn max_tokens(&self) -> usize {
        self.encoder.max_tokens()
    }

    /// Hidden states after `layer` layers of each text's own tokens: the model's prefix and
    /// special tokens are left out, and texts longer than the model's maximum are cut to it.
    /// Token-level checks compare these across languages.
    pub fn token_states(&self, texts: &[&str], layer: usize) -> Result<Vec<Vec<Vec<f32>>>> {
        // Everything an empty text encodes to, except the final special token, precedes the
        // text's own tokens ("<s> passage :"); that final token follows them.
        let lead = self.tokenize("")?.len().saturating_sub(1);
        let mut seqs = self.tokenize_all(texts)?;
        for ids in &mut seqs {
            ids.truncate(self.encoder.max_tokens());
        }
        let mut states = self.batched(&seqs, &self.state_tokens, |ids| {
            self.encoder.token_states(ids, layer)
        })?;
        for rows in &mut states {
            let end = rows.len().saturating_sub(1);
            rows.truncate(end);
            rows.drain(..lead.min(end));
        }
        Ok(states)
    }

    /// `embed` and `token_spans(texts, layer)` from one forward pass, where the encoder can stop
    /// at a middle layer (the packed CPU path), no embedding cache is set and every text fits
    /// the model's window; `None` otherwise (the caller runs the two). The vectors are those
    /// `embed_uncached` gives.
    pub fn embed_with_spans(
        &self,
        texts: &[&str],
        layer: usize,
    ) -> Result<Option<(Embeddings, Vec<TokenStates>)>> {
        if self.cache.is_some() || !self.encoder.padding_free() {
            return Ok(None);
        }
        let (seqs, spans) = self.ids_with_spans(texts)?;
        if seqs.iter().any(|s| s.len() > self.encoder.max_tokens()) {
            return Ok(None);
        }
        let both = self.batched(&seqs, &self.padded_tokens, |ids| {
            self.encoder
                .embed_with_states(ids, layer)?
                .ok_or_else(|| Error::Internal("the encoder cannot stop at a middle layer".into()))
        })?;
        let lengths = seqs.iter().map(Vec::len).collect();
        let tokens = seqs.iter().map(Vec::len).sum();
        let mut vectors = Vec::with_capacity(both.len());
        let mut states = Vec::with_capacity(both.len());
        for (((v, rows), own), seq) in both.into_iter().zip(spans).zip(&seqs) {
            // As `embed_tokenized` combines windows (one here): weighted by length, normalised,
            // so that both paths give the same bits.
            let w = seq.len() as f32;
            vectors.push(normalized(v.into_iter().map(|x| w * x).collect()));
            states.push(token_states_of(rows, own));
        }
        Ok(Some((
            Embeddings {
                vectors,
                windowed: vec![false; texts.len()],
                lengths,
                tokens,
            },
            states,
        )))
    }

    /// Each text's token ids as embedded, with each token's byte range in the text as given
    /// (`None` for the prefix and special tokens).
    #[allow(clippy::type_complexity)]
    fn ids_with_spans(
        &self,
        texts: &[&str],
    ) -> Result<(Vec<Vec<u32>>, Vec<Vec<Option<std::ops::Range<usize>>>>)> {
        let mut seqs = Vec::with_capacity(texts.len());
        let mut spans = Vec::with_capacity(texts.len());
        for text in texts {
            let (input, origin) = embedding_input(&self.settings.prefix, text);
            let (ids, offsets) = self
                .tokenizer
                .encode_with_offsets(input)
                .map_err(|e| Error::Internal(format!("tokenizer: {e}")))?;
            let own: Vec<Option<std::ops::Range<usize>>> = offsets
                .iter()
                .take(ids.len())
                .map(|&(a, b)| {
                    // A token may take the space that ends the prefix ("▁word").
                    let skip = self.settings.prefix.len();
                    (b > skip && b > a).then(|| origin[a.max(skip) - skip]..origin[b - skip])
                })
                .collect();
            seqs.push(ids);
            spans.push(own);
        }
        Ok((seqs, spans))
    }

    /// Hidden states after `layer` layers of each text's own tokens, with each token's byte
    /// range in the text as given (before the model's prefix and Arabic diacritics are handled):
    /// word alignment needs to know which words a token belongs to. Texts longer than the model's
    /// maximum are cut to it.
    pub fn token_spans(&self, texts: &[&str], layer: usize) -> Result<Vec<TokenStates>> {
        let (mut seqs, spans) = self.ids_with_spans(texts)?;
        for ids in &mut seqs {
            ids.truncate(self.encoder.max_tokens());
        }
        let states = self.batched(&seqs, &self.state_tokens, |ids| {
            self.encoder.token_states(ids, layer)
        })?;
        Ok(states
            .into_iter()
            .zip(spans)
            .map(|(rows, own)| token_states_of(rows, own))
            .collect())
    }

    pub fn num_layers(&self) -> usize {
        self.encoder.num_layers()
    }

    /// Time spent so far per stage of embedding, and padded tokens encoded.
    pub fn stage_times(&self) -> StageTimes {
        let [forward, pool] = self.encoder.stage_nanos();
        StageTimes {
            tokenise_s: self.tokenise_ns.load(Ordering::Relaxed) as f64 * 1e-9,
            forward_s: forward as f64 * 1e-9,
            pool_s: pool as f64 * 1e-9,
            padded_tokens: self.padded_tokens.load(Ordering::Relaxed),
            state_tokens: self.state_tokens.load(Ordering::Relaxed),
        }
    }

    /// Tokens per forward pass (padding included where batches are padded).
    pub fn token_budget(&self) -> usize {
        self.token_budget
    }
}

/// How a batch's sequences are laid out for the encoder, and so what it computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchLayout {
    /// Right-padded to the longest: `count × longest` tokens.
    Padded,
    /// Back to back without padding: the sum of the lengths.
    Packed,
}

impl BatchLayout {
    /// Tokens the encoder computes for a batch of sequences of these lengths.
    pub fn tokens(self, lens: &[usize]) -> usize {
        match self {
            BatchLayout::Padded => lens.len() * lens.iter().copied().max().unwrap_or(0),
            BatchLayout::Packed => lens.iter().sum(),
        }
    }
}

/// Groups items (already sorted by decreasing length) so that the tokens each group costs in
/// `layout` (`count × longest` padded, the sum of lengths packed) stay within `budget`; an item
/// longer than the budget gets a group of its own.
pub fn token_budget_batches(
    order: &[usize],
    len: impl Fn(usize) -> usize,
    budget: usize,
    layout: BatchLayout,
) -> Vec<Vec<usize>> {
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let (mut longest, mut sum) = (0, 0);
    for &i in order {
        let l = len(i);
        let cost = match layout {
            BatchLayout::Padded => longest.max(l) * (current.len() + 1),
            BatchLayout::Packed => sum + l,
        };
        if !current.is_empty() && cost > budget {
            batches.push(std::mem::take(&mut current));
            (longest, sum) = (0, 0);
        }
        longest = longest.max(l);
        sum += l;
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

/// All pairwise dot products of `a` and `b` (row-major `a.len() × b.len()`), as one matrix
/// product.
pub fn cosine_matrix(a: &[Vec<f32>], b: &[Vec<f32>]) -> Vec<f32> {
    let (n, m) = (a.len(), b.len());
    let dim = a.first().or(b.first()).map_or(0, Vec::len);
    if n == 0 || m == 0 || dim == 0 {
        return vec![0.0; n * m];
    }
    let uniform = a.iter().chain(b).all(|v| v.len() == dim);
    // A bad MTCHECK_F32_KERNEL was reported when the model loaded; here it means candle's product.
    if let (true, Ok(Some(kernel))) = (uniform, f32linear::F32Kernel::choose()) {
        // The packed kernel: `b` as the weights of a linear layer without bias.
        let flat_b: Vec<f32> = b.iter().flatten().copied().collect();
        let flat_a: Vec<f32> = a.iter().flatten().copied().collect();
        let mut out = vec![0f32; n * m];
        f32linear::F32Linear::new(&flat_b, None, m, dim, kernel).forward_slice(&flat_a, &mut out);
        return out;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::vector::dot;

    #[test]
    fn cosine_matrix_equals_plain_dot_products_on_ragged_shapes() {
        // 70 x 130 crosses the packed kernel's 6-row tiles and 64-column panels unevenly.
        let vec = |seed: usize| -> Vec<f32> {
            (0..384)
                .map(|k| (((seed * 7919 + k * 104_729) % 1000) as f32 / 500.0) - 1.0)
                .collect()
        };
        let a: Vec<Vec<f32>> = (0..70).map(vec).collect();
        let b: Vec<Vec<f32>> = (100..230).map(vec).collect();
        let got = cosine_matrix(&a, &b);
        assert_eq!(got.len(), 70 * 130);
        for (i, x) in a.iter().enumerate() {
            for (j, y) in b.iter().enumerate() {
                let want = dot(x, y);
                assert!(
                    (got[i * 130 + j] - want).abs() <= 1e-3 * want.abs().max(1.0),
                    "{i},{j}"
                );
            }
        }
        assert!(cosine_matrix(&a, &[]).is_empty());
    }

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
        let batches = token_budget_batches(&order, |i| lens[i], 100, BatchLayout::Padded);
        for b in &batches {
            let longest = b.iter().map(|&i| lens[i]).max().unwrap();
            assert!(longest * b.len() <= 100 || b.len() == 1);
        }
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), lens.len());
    }

    #[test]
    fn packed_batches_bound_real_tokens_and_fill_the_budget() {
        let lens = [120usize, 50, 40, 40, 30, 10, 10, 10, 5];
        let order: Vec<usize> = (0..lens.len()).collect();
        let batches = token_budget_batches(&order, |i| lens[i], 100, BatchLayout::Packed);
        // The over-long first item alone; then 50+40, 40+30+10+10+10 (100 exactly), 5.
        let got: Vec<Vec<usize>> = batches
            .iter()
            .map(|b| b.iter().map(|&i| lens[i]).collect())
            .collect();
        assert_eq!(
            got,
            vec![vec![120], vec![50, 40], vec![40, 30, 10, 10, 10], vec![5]]
        );
        for b in &batches {
            let l: Vec<usize> = b.iter().map(|&i| lens[i]).collect();
            assert!(BatchLayout::Packed.tokens(&l) <= 100 || b.len() == 1);
            assert!(BatchLayout::Packed.tokens(&l) <= BatchLayout::Padded.tokens(&l));
        }
    }
}
