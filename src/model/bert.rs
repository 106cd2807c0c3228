//! The BERT / XLM-RoBERTa encoder (one file: the two differ only in position numbering).
//!
//! Written for inference rather than training: Q, K and V are one fused projection, the attention
//! bias is built once per batch in the compute dtype with a finite negative value (candle 0.11's
//! `bert.rs` multiplies 0 by -inf and yields NaN in F16/BF16). On the CPU in f32, attention is one
//! fused op (`attention`), GELU and residual + layer norm are vectorised (`vecmath`), and the
//! projections run on packed AVX-512 (`f32linear`) or int8 (`q8`) kernels.
//! candle-transformers' `BertModel` stays the reference the tests compare against.
//!
//! Two batch layouts: right-padded `[batch, seq]` with a mask ([`BertEncoder::forward`], every
//! device and dtype), and, where the fused attention runs, sequences packed back to back without
//! padding ([`BertEncoder::forward_packed`], [`pool_packed`]): everything but attention works
//! token by token, so only attention needs to know where each sequence starts.

use std::sync::Arc;

use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Module, Shape, Tensor, D};
use candle_nn::{embedding, layer_norm, Embedding, LayerNorm, Linear, VarBuilder};
use rayon::prelude::*;

use super::attention::{check_offsets, FusedAttention, Keys};
use super::config::Config;
use super::f32linear::{F32Kernel, F32Linear};
use super::q8::{Kernel, Q8Linear};
use super::vecmath;

/// Added to attention scores of padding positions: large enough to zero them after softmax,
/// finite so that F16 never sees inf - inf.
const MASK_BIAS: f64 = -10_000.0;

/// Word-embedding rows looked up straight from the memory-mapped weights file: only the rows of the
/// ids in a batch are read (and so paged in), instead of copying the whole `vocab × hidden` matrix
/// (384 MB in f32 for a 250k-piece vocabulary) at load time.
struct MappedRows {
    weights: Arc<MmapedSafetensors>,
    name: String,
    file_dtype: DType,
    vocab: usize,
    hidden: usize,
    /// Compute dtype: rows are converted to it exactly as `VarBuilder::get` would.
    dtype: DType,
    device: Device,
}

impl MappedRows {
    fn new(
        weights: Arc<MmapedSafetensors>,
        name: String,
        vocab: usize,
        hidden: usize,
        dtype: DType,
        device: Device,
    ) -> candle_core::Result<Self> {
        let view = weights.get(&name)?;
        let file_dtype = match DType::try_from(view.dtype()) {
            Ok(d @ (DType::F32 | DType::F16 | DType::BF16)) => d,
            _ => candle_core::bail!("{name}: unsupported dtype {:?}", view.dtype()),
        };
        if view.shape() != [vocab, hidden] {
            return Err(candle_core::Error::UnexpectedShape {
                msg: format!("shape mismatch for {name}"),
                expected: (vocab, hidden).into(),
                got: view.shape().into(),
            }
            .bt());
        }
        Ok(Self {
            weights,
            name,
            file_dtype,
            vocab,
            hidden,
            dtype,
            device,
        })
    }

    /// `ids` u32 of any shape (`[batch, seq]`, or `[total]` packed) → that shape plus `hidden`,
    /// in the compute dtype.
    fn forward(&self, ids: &Tensor) -> candle_core::Result<Tensor> {
        let mut shape = ids.dims().to_vec();
        shape.push(self.hidden);
        let ids = ids.flatten_all()?.to_vec1::<u32>()?;
        let view = self.weights.get(&self.name)?;
        let data = view.data();
        let row = self.hidden * self.file_dtype.size_in_bytes();
        let mut bytes = Vec::with_capacity(ids.len() * row);
        for &id in &ids {
            let id = id as usize;
            if id >= self.vocab {
                candle_core::bail!("token id {id} is outside the vocabulary of {}", self.vocab);
            }
            bytes.extend_from_slice(&data[id * row..(id + 1) * row]);
        }
        Tensor::from_raw_buffer(&bytes, self.file_dtype, &shape, &self.device)?.to_dtype(self.dtype)
    }
}

/// A [`candle_nn::var_builder::SimpleBackend`] over a shared mmap, so that the encoder can keep the
/// same mapping alive for its word-embedding lookups.
struct SharedSafetensors(Arc<MmapedSafetensors>);

impl candle_nn::var_builder::SimpleBackend for SharedSafetensors {
    fn get(
        &self,
        s: Shape,
        name: &str,
        h: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        candle_nn::var_builder::SimpleBackend::get(self.0.as_ref(), s, name, h, dtype, dev)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        candle_nn::var_builder::SimpleBackend::get_unchecked(self.0.as_ref(), name, dtype, dev)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.0.get(name).is_ok()
    }
}

enum WordEmbeddings {
    Copied(Embedding),
    Mapped(MappedRows),
}

struct Embeddings {
    word: WordEmbeddings,
    position: Tensor,
    token_type_0: Tensor,
    norm: LayerNorm,
    position_offset: usize,
}

impl Embeddings {
    fn load(
        vb: VarBuilder,
        cfg: &Config,
        mapped: Option<(Arc<MmapedSafetensors>, String)>,
    ) -> candle_core::Result<Self> {
        let word = match mapped {
            None => WordEmbeddings::Copied(embedding(
                cfg.vocab_size,
                cfg.hidden_size,
                vb.pp("word_embeddings"),
            )?),
            Some((weights, name)) => WordEmbeddings::Mapped(MappedRows::new(
                weights,
                name,
                cfg.vocab_size,
                cfg.hidden_size,
                vb.dtype(),
                vb.device().clone(),
            )?),
        };
        let position = vb.get(
            (cfg.max_position_embeddings, cfg.hidden_size),
            "position_embeddings.weight",
        )?;
        let token_type_0 = vb
            .get(
                (cfg.type_vocab_size, cfg.hidden_size),
                "token_type_embeddings.weight",
            )?
            .get(0)?;
        let norm = layer_norm(cfg.hidden_size, cfg.layer_norm_eps, vb.pp("LayerNorm"))?;
        Ok(Self {
            word,
            position,
            token_type_0,
            norm,
            position_offset: cfg.position_offset(),
        })
    }

    /// Right-padded batches: real tokens take positions `offset + i`; padding positions are masked
    /// out of attention and pooling, so their position rows never matter.
    fn forward(&self, ids: &Tensor) -> candle_core::Result<Tensor> {
        let (_, seq) = ids.dims2()?;
        let positions = self.position.narrow(0, self.position_offset, seq)?;
        self.sum_and_norm(ids, &positions)
    }

    /// Packed sequences, `ids` [total]: positions restart at `offset` for each sequence.
    fn forward_packed(&self, ids: &Tensor, offsets: &[usize]) -> candle_core::Result<Tensor> {
        let available = self.position.dim(0)?;
        let mut pos = Vec::with_capacity(ids.elem_count());
        for p in offsets.windows(2) {
            let len = p[1].saturating_sub(p[0]);
            if self.position_offset + len > available {
                candle_core::bail!(
                    "a sequence of {len} tokens is longer than the model's {} positions",
                    available.saturating_sub(self.position_offset)
                );
            }
            pos.extend((0..len as u32).map(|i| i + self.position_offset as u32));
        }
        let pos = Tensor::from_vec(pos, ids.elem_count(), ids.device())?;
        let positions = self.position.index_select(&pos, 0)?;
        self.sum_and_norm(ids, &positions)
    }

    /// Word rows of `ids` + `positions` (broadcast over a batch) + token type 0, layer-normed.
    fn sum_and_norm(&self, ids: &Tensor, positions: &Tensor) -> candle_core::Result<Tensor> {
        let words = match &self.word {
            WordEmbeddings::Copied(e) => e.forward(ids)?,
            WordEmbeddings::Mapped(m) => m.forward(ids)?,
        };
        let summed = words
            .broadcast_add(positions)?
            .broadcast_add(&self.token_type_0)?;
        self.norm.forward(&summed)
    }
}

fn linear(vb: VarBuilder, inp: usize, out: usize) -> candle_core::Result<Dense> {
    Ok(Dense::F32(candle_nn::linear(inp, out, vb)?))
}

/// A projection in f32 (candle's matmul, or packed AVX-512 on CPU) or int8 (`--dtype q8`).
enum Dense {
    F32(Linear),
    Packed(F32Linear),
    Q8(Q8Linear),
}

impl Dense {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Dense::F32(l) => l.forward(x),
            Dense::Packed(p) => x.contiguous()?.apply_op1_no_bwd(p),
            Dense::Q8(q) => q.forward(&x.contiguous()?),
        }
    }

    /// Repacks an f32 CPU projection for a packed kernel (`None`: candle's matmul stays).
    fn pack_f32(&mut self, kernel: Option<F32Kernel>) -> candle_core::Result<()> {
        if let (Dense::F32(l), Some(kernel)) = (&*self, kernel) {
            let w = l.weight();
            if w.device().is_cpu() && w.dtype() == DType::F32 {
                let (n, k) = w.dims2()?;
                let b = l.bias().map(Tensor::to_vec1::<f32>).transpose()?;
                *self = Dense::Packed(F32Linear::new(
                    &w.flatten_all()?.to_vec1::<f32>()?,
                    b.as_deref(),
                    n,
                    k,
                    kernel,
                ));
            }
        }
        Ok(())
    }

    fn quantize(&mut self, kernel: Kernel) -> candle_core::Result<()> {
        if let Dense::F32(l) = self {
            *self = Dense::Q8(Q8Linear::from_tensors(l.weight(), l.bias(), kernel)?);
        }
        if let Dense::Packed(_) = self {
            candle_core::bail!("int8 quantisation needs the f32 weights unpacked");
        }
        Ok(())
    }
}

/// A layer norm applied to `x + residual`; fused into one op on the CPU in f32.
struct ResidualNorm {
    norm: LayerNorm,
    fused: Option<vecmath::AddLayerNorm>,
}

impl ResidualNorm {
    fn load(vb: VarBuilder, size: usize, eps: f64) -> candle_core::Result<Self> {
        let norm = layer_norm(size, eps, vb)?;
        let fused = match (
            norm.weight().device().is_cpu(),
            norm.weight().dtype(),
            norm.bias(),
        ) {
            (true, DType::F32, Some(bias)) => Some(vecmath::AddLayerNorm {
                gamma: norm.weight().to_vec1()?,
                beta: bias.to_vec1()?,
                eps: eps as f32,
            }),
            _ => None,
        };
        Ok(Self { norm, fused })
    }

    /// `x` by value: the fused op writes the result over it (a projection's fresh output).
    fn forward(&self, x: Tensor, residual: &Tensor) -> candle_core::Result<Tensor> {
        match &self.fused {
            Some(op) => {
                let x = x.contiguous()?;
                x.inplace_op2(&residual.contiguous()?, op)?;
                Ok(x)
            }
            None => self.norm.forward(&(x + residual)?),
        }
    }
}

struct Layer {
    qkv: Dense,
    attn_out: Dense,
    attn_norm: ResidualNorm,
    ff_in: Dense,
    ff_out: Dense,
    out_norm: ResidualNorm,
    heads: usize,
    head_dim: usize,
    act: Activation,
}

#[derive(Clone, Copy)]
enum Activation {
    GeluErf,
    GeluTanh,
    Relu,
}

impl Layer {
    fn load(vb: VarBuilder, cfg: &Config) -> candle_core::Result<Self> {
        let h = cfg.hidden_size;
        let sa = vb.pp("attention.self");
        let (mut ws, mut bs) = (Vec::new(), Vec::new());
        for name in ["query", "key", "value"] {
            ws.push(sa.get((h, h), &format!("{name}.weight"))?);
            bs.push(sa.get(h, &format!("{name}.bias"))?);
        }
        let qkv = Dense::F32(Linear::new(
            Tensor::cat(&ws, 0)?,
            Some(Tensor::cat(&bs, 0)?),
        ));
        let act = match cfg.hidden_act.as_str() {
            "gelu" => Activation::GeluErf,
            "relu" => Activation::Relu,
            _ => Activation::GeluTanh,
        };
        Ok(Self {
            qkv,
            attn_out: linear(vb.pp("attention.output.dense"), h, h)?,
            attn_norm: ResidualNorm::load(
                vb.pp("attention.output.LayerNorm"),
                h,
                cfg.layer_norm_eps,
            )?,
            ff_in: linear(vb.pp("intermediate.dense"), h, cfg.intermediate_size)?,
            ff_out: linear(vb.pp("output.dense"), cfg.intermediate_size, h)?,
            out_norm: ResidualNorm::load(vb.pp("output.LayerNorm"), h, cfg.layer_norm_eps)?,
            heads: cfg.num_attention_heads,
            head_dim: h / cfg.num_attention_heads,
            act,
        })
    }

    /// `x`: [batch, seq, hidden] with a padded `mask`, or [total, hidden] with a packed one.
    fn forward(&self, x: &Tensor, mask: &Mask) -> candle_core::Result<Tensor> {
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let qkv = self.qkv.forward(x)?;
        let fused = |keys| {
            qkv.contiguous()?.apply_op1_no_bwd(&FusedAttention {
                keys,
                heads: self.heads,
                scale: scale as f32,
            })
        };
        let ctx = match *mask {
            Mask::Packed(offsets) => fused(Keys::Packed(offsets))?,
            Mask::Padded {
                cpu: Some(bias), ..
            } => fused(Keys::Padded(bias))?,
            Mask::Padded { bias, cpu: None } => {
                let (b, t, h) = x.dims3()?;
                let qkv = qkv
                    .reshape((b, t, 3, self.heads, self.head_dim))?
                    .permute((2, 0, 3, 1, 4))?; // [3, b, heads, t, head_dim]
                let q = qkv.get(0)?.contiguous()?;
                let k = qkv.get(1)?.contiguous()?;
                let v = qkv.get(2)?.contiguous()?;
                let scores = (q.matmul(&k.t()?)? * scale)?.broadcast_add(bias)?;
                let probs = softmax(&scores)?;
                probs.matmul(&v)?.transpose(1, 2)?.reshape((b, t, h))?
            }
        };
        let x = self.attn_norm.forward(self.attn_out.forward(&ctx)?, x)?;
        let ff = self.ff_in.forward(&x)?;
        let ff = match self.act {
            Activation::GeluErf => gelu_erf(ff)?,
            Activation::GeluTanh => ff.gelu()?,
            Activation::Relu => ff.relu()?,
        };
        self.out_norm.forward(self.ff_out.forward(&ff)?, &x)
    }
}

/// Which tokens attend to which.
enum Mask<'a> {
    /// Right-padded rows: the additive bias [batch, 1, 1, seq], also as a plain `[batch, seq]`
    /// vector when the fused CPU attention runs.
    Padded {
        bias: &'a Tensor,
        cpu: Option<&'a [f32]>,
    },
    /// Packed rows: sequence `i` is rows `offsets[i]..offsets[i + 1]` (fused CPU attention only).
    Packed(&'a [usize]),
}

/// Exact (erf) GELU; vectorised and parallel on CPU, candle's kernel elsewhere. Takes `x` by value
/// because on the CPU it overwrites `x`'s storage (a projection's fresh output, used nowhere else).
fn gelu_erf(x: Tensor) -> candle_core::Result<Tensor> {
    if x.device().is_cpu() && x.dtype() == DType::F32 {
        let x = x.contiguous()?;
        x.inplace_op1(&vecmath::Gelu)?;
        Ok(x)
    } else {
        x.gelu_erf()
    }
}

/// Softmax over the last dimension; vectorised and parallel on CPU, candle's kernel elsewhere.
fn softmax(x: &Tensor) -> candle_core::Result<Tensor> {
    if x.device().is_cpu() && x.dtype() == DType::F32 {
        x.contiguous()?.apply_op1_no_bwd(&vecmath::Softmax)
    } else {
        candle_nn::ops::softmax_last_dim(x)
    }
}

/// The encoder: token ids in, last hidden state out.
pub struct BertEncoder {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    dtype: DType,
}

/// Prefixes under which checkpoints keep the encoder's tensors.
const PREFIXES: &[&str] = &["", "bert.", "roberta.", "model.", "xlm_roberta."];

impl BertEncoder {
    /// Loads every tensor through `vb` (copies, including the word embeddings).
    pub fn load(vb: VarBuilder, cfg: &Config) -> candle_core::Result<Self> {
        Self::load_inner(vb, cfg, None)
    }

    /// Loads from a memory-mapped safetensors file, keeping the mapping alive: the word-embedding
    /// matrix is never copied, its rows are read per batch; other tensors are copied as by
    /// [`BertEncoder::load`]. Outputs are identical to `load`'s.
    pub fn load_mmaped(
        weights: Arc<MmapedSafetensors>,
        dtype: DType,
        device: &Device,
        cfg: &Config,
    ) -> candle_core::Result<Self> {
        let vb = VarBuilder::from_backend(
            Box::new(SharedSafetensors(weights.clone())),
            dtype,
            device.clone(),
        );
        Self::load_inner(vb, cfg, Some(weights))
    }

    fn load_inner(
        vb: VarBuilder,
        cfg: &Config,
        weights: Option<Arc<MmapedSafetensors>>,
    ) -> candle_core::Result<Self> {
        let prefix = PREFIXES
            .iter()
            .find(|p| vb.contains_tensor(&format!("{p}embeddings.word_embeddings.weight")))
            .copied()
            .unwrap_or("");
        let vb = if prefix.is_empty() {
            vb
        } else {
            vb.pp(prefix.trim_end_matches('.'))
        };
        let dtype = vb.dtype();
        let mapped = weights.map(|w| (w, format!("{prefix}embeddings.word_embeddings.weight")));
        let embeddings = Embeddings::load(vb.pp("embeddings"), cfg, mapped)?;
        let layers = (0..cfg.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), cfg))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Self {
            embeddings,
            layers,
            dtype,
        })
    }

    /// `ids`, `mask`: [batch, seq] u32 (mask 1 for real tokens). Returns [batch, seq, hidden].
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_layers(ids, mask, self.layers.len())
    }

    /// The hidden states after the first `layers` layers (all of them when larger): token-level
    /// checks read a lower layer, where tokens of different languages still align.
    pub fn forward_layers(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        layers: usize,
    ) -> candle_core::Result<Tensor> {
        let (b, t) = ids.dims2()?;
        // mask 1 → 0, mask 0 → MASK_BIAS.
        let bias = ((mask.to_dtype(self.dtype)? - 1.0)? * -MASK_BIAS)?.reshape((b, 1, 1, t))?;
        // The fused attention (CPU, f32) takes the bias as a plain vector, read out once here.
        let cpu_bias = if self.device().is_cpu() && self.dtype == DType::F32 {
            Some(bias.flatten_all()?.to_vec1::<f32>()?)
        } else {
            None
        };
        let mask = Mask::Padded {
            bias: &bias,
            cpu: cpu_bias.as_deref(),
        };
        let mut x = self.embeddings.forward(ids)?;
        for layer in self.layers.iter().take(layers) {
            x = layer.forward(&x, &mask)?;
        }
        Ok(x)
    }

    /// Whether [`BertEncoder::forward_packed`] runs here: on the CPU in f32 (the `f32` and `q8`
    /// modes), where attention is the fused op. Other devices and dtypes pad.
    pub fn packs(&self) -> bool {
        self.device().is_cpu() && self.dtype == DType::F32
    }

    /// The hidden states after the first `layers` layers of sequences packed back to back, without
    /// padding: `ids` [total] u32 with sequence `i` at `offsets[i]..offsets[i + 1]` (see [`pack`]).
    /// Returns [total, hidden], the same states as [`BertEncoder::forward_layers`] gives for the
    /// real tokens of the right-padded batch. Only where [`BertEncoder::packs`].
    pub fn forward_packed(
        &self,
        ids: &Tensor,
        offsets: &[usize],
        layers: usize,
    ) -> candle_core::Result<Tensor> {
        if !self.packs() {
            candle_core::bail!("packed sequences need the CPU and f32 activations");
        }
        let total = ids.dims1()?;
        check_offsets(offsets, total)?;
        let mut x = self.embeddings.forward_packed(ids, offsets)?;
        if total == 0 {
            // Nothing to attend to; the kernels are never handed empty matrices.
            return Ok(x);
        }
        let mask = Mask::Packed(offsets);
        for layer in self.layers.iter().take(layers) {
            x = layer.forward(&x, &mask)?;
        }
        Ok(x)
    }

    /// Runs layers `from..` of packed hidden states `x` (what `forward_packed` returned after
    /// `from` layers): one pass can stop at a middle layer for token-level work and go on.
    pub fn forward_packed_from(
        &self,
        x: &Tensor,
        offsets: &[usize],
        from: usize,
    ) -> candle_core::Result<Tensor> {
        check_offsets(offsets, x.dims2()?.0)?;
        let mut x = x.clone();
        if offsets.last().copied().unwrap_or(0) == 0 {
            return Ok(x);
        }
        let mask = Mask::Packed(offsets);
        for layer in self.layers.iter().skip(from) {
            x = layer.forward(&x, &mask)?;
        }
        Ok(x)
    }

    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }

    /// Replaces every projection of every layer by its int8 version (CPU only); embeddings,
    /// attention, layer norms and GELU stay in f32.
    pub fn quantize_q8(&mut self, kernel: Kernel) -> candle_core::Result<()> {
        if !self.device().is_cpu() || self.dtype != DType::F32 {
            candle_core::bail!("int8 projections need the CPU and f32 activations");
        }
        // Layers in parallel: quantising and packing is most of a q8 load.
        self.layers.par_iter_mut().try_for_each(|l| {
            [&mut l.qkv, &mut l.attn_out, &mut l.ff_in, &mut l.ff_out]
                .into_iter()
                .try_for_each(|d| d.quantize(kernel))
        })
    }

    /// Repacks every f32 CPU projection for a packed kernel (see [`F32Kernel::choose`]; `None`
    /// keeps candle's matmul); outputs agree with candle's matmul to rounding.
    pub fn pack_f32(&mut self, kernel: Option<F32Kernel>) -> candle_core::Result<()> {
        self.layers.par_iter_mut().try_for_each(|l| {
            [&mut l.qkv, &mut l.attn_out, &mut l.ff_in, &mut l.ff_out]
                .into_iter()
                .try_for_each(|d| d.pack_f32(kernel))
        })
    }

    pub fn device(&self) -> &Device {
        self.embeddings.position.device()
    }
}

/// Pools `hidden` [batch, seq, hidden] into [batch, hidden] in f32.
pub fn pool(
    hidden: &Tensor,
    mask: &Tensor,
    pooling: super::config::Pooling,
) -> candle_core::Result<Tensor> {
    let hidden = hidden.to_dtype(DType::F32)?;
    match pooling {
        super::config::Pooling::Cls => hidden.narrow(1, 0, 1)?.squeeze(1),
        super::config::Pooling::Mean => {
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let sum = hidden.broadcast_mul(&m)?.sum(1)?;
            let count = m.sum(1)?;
            sum.broadcast_div(&count)
        }
    }
}

/// Sequences back to back, and their offsets: sequence `i` is `ids[offsets[i]..offsets[i + 1]]`.
pub fn pack(seqs: &[Vec<u32>]) -> (Vec<u32>, Vec<usize>) {
    let mut ids = Vec::with_capacity(seqs.iter().map(Vec::len).sum());
    let mut offsets = Vec::with_capacity(seqs.len() + 1);
    offsets.push(0);
    for s in seqs {
        ids.extend_from_slice(s);
        offsets.push(ids.len());
    }
    (ids, offsets)
}

/// Pools packed `hidden` [total, hidden] (see [`BertEncoder::forward_packed`]) into one f32 row
/// per sequence, [sequences, hidden]: what [`pool`] gives for the padded batch. An empty sequence
/// pools to zeros (padded mean pooling would divide 0 by 0).
pub fn pool_packed(
    hidden: &Tensor,
    offsets: &[usize],
    pooling: super::config::Pooling,
) -> candle_core::Result<Tensor> {
    let (total, h) = hidden.dims2()?;
    check_offsets(offsets, total)?;
    let data = hidden
        .to_dtype(DType::F32)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    let n = offsets.len() - 1;
    let mut out = vec![0f32; n * h];
    for (o, p) in out.chunks_exact_mut(h.max(1)).zip(offsets.windows(2)) {
        let rows = &data[p[0] * h..p[1] * h];
        match pooling {
            super::config::Pooling::Cls => {
                if let Some(first) = rows.get(..h) {
                    o.copy_from_slice(first);
                }
            }
            super::config::Pooling::Mean => {
                for row in rows.chunks_exact(h.max(1)) {
                    for (a, &v) in o.iter_mut().zip(row) {
                        *a += v;
                    }
                }
                let count = p[1] - p[0];
                if count > 0 {
                    o.iter_mut().for_each(|a| *a /= count as f32);
                }
            }
        }
    }
    Tensor::from_vec(out, (n, h), hidden.device())
}

/// Rescales rows of [batch, dim] to unit length.
pub fn l2_normalize(x: &Tensor) -> candle_core::Result<Tensor> {
    let norm = x
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12, f64::MAX)?;
    x.broadcast_div(&norm)
}
