//! Fast tokenizer start-up for SentencePiece-Unigram tokenizers (XLM-R, multilingual E5).
//!
//! `tokenizers::Tokenizer::from_file` on multilingual-e5-small's 17 MB tokenizer.json spends most
//! of its ~0.8 s and ~300 MB building the Unigram model's trie: one hash map per node, for a
//! 250k-piece vocabulary. [`FastUnigram`] is the same model (same Viterbi search, same tie-breaking,
//! same unknown-token fusing and byte fallback; tested id for id against `tokenizers`) over a flat
//! trie of sorted edge arrays, which builds in a fraction of the time and can be stored as a binary
//! cache and read back almost for free. Everything around the model (normalizer, pre-tokenizer,
//! post-processor, added tokens) is the `tokenizers` crate's own code, deserialised from the
//! tokenizer.json's own JSON.
//!
//! The cache lives in `$MTCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/mtcheck`, else
//! `~/.cache/mtcheck` (never in a model directory), one file per tokenizer.json path, validated by
//! the source's size and mtime, a format version and a checksum; anything missing, stale or corrupt
//! falls back to the JSON and rewrites the cache atomically. Other model types (WordPiece, BPE,
//! WordLevel) load through `tokenizers::Tokenizer` as before.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use crate::util::hash::fnv1a64_words;

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use tokenizers::models::unigram::UnigramTrainer;
use tokenizers::{
    AddedToken, DecoderWrapper, Model, NormalizerWrapper, PostProcessorWrapper,
    PreTokenizerWrapper, Token, TokenizerBuilder, TokenizerImpl,
};

/// tokenizer.json files smaller than this parse quickly enough without a cache.
pub const CACHE_MIN_BYTES: u64 = 1 << 20;

const MAGIC: &[u8; 8] = b"MTCKTOK\0";
/// Bump when the payload layout or the meaning of any field changes.
const FORMAT_VERSION: u32 = 1;
/// `tokenizers`' penalty for unknown pieces (`K_UNK_PENALTY`).
const UNK_PENALTY: f64 = 10.0;
const NONE: u32 = u32::MAX;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn err(msg: impl Into<String>) -> BoxError {
    msg.into().into()
}

/// A byte trie stored as flat arrays: node `n`'s children are `labels/targets[starts[n]..starts[n+1]]`,
/// sorted by label; `leaf[n]` is the vocabulary id ending at `n` (or [`NONE`]).
#[derive(Debug, Clone, PartialEq)]
struct FlatTrie {
    starts: Vec<u32>,
    labels: Vec<u8>,
    targets: Vec<u32>,
    leaf: Vec<u32>,
}

impl FlatTrie {
    /// Builds from pieces; a piece occurring twice maps to its last id, as in `tokenizers`
    /// (whose `token_to_ids` map keeps the last insertion).
    fn build(pieces: &[&[u8]]) -> Self {
        let mut order: Vec<u32> = (0..pieces.len() as u32).collect();
        // Stable: equal pieces stay in id order, so the last one written wins.
        order.sort_by(|&a, &b| pieces[a as usize].cmp(pieces[b as usize]));
        // Nodes in depth-first order: a node's children are created in increasing label order.
        let mut parent: Vec<u32> = vec![NONE];
        let mut label: Vec<u8> = vec![0];
        let mut leaf: Vec<u32> = vec![NONE];
        let mut path: Vec<u32> = vec![0];
        let mut prev: &[u8] = &[];
        for &id in &order {
            let p = pieces[id as usize];
            let common = p.iter().zip(prev).take_while(|(a, b)| a == b).count();
            path.truncate(common + 1);
            for &b in &p[common..] {
                let n = parent.len() as u32;
                parent.push(*path.last().unwrap());
                label.push(b);
                leaf.push(NONE);
                path.push(n);
            }
            leaf[*path.last().unwrap() as usize] = id;
            prev = p;
        }
        let nodes = parent.len();
        let mut counts = vec![0u32; nodes + 1];
        for &p in &parent[1..] {
            counts[p as usize + 1] += 1;
        }
        for i in 1..=nodes {
            counts[i] += counts[i - 1];
        }
        let starts = counts.clone();
        let mut fill = counts;
        let mut labels = vec![0u8; nodes - 1];
        let mut targets = vec![0u32; nodes - 1];
        for n in 1..nodes {
            let p = parent[n] as usize;
            let slot = fill[p] as usize;
            fill[p] += 1;
            labels[slot] = label[n];
            targets[slot] = n as u32;
        }
        Self {
            starts,
            labels,
            targets,
            leaf,
        }
    }

    #[inline]
    fn child(&self, node: u32, b: u8) -> Option<u32> {
        let (s, e) = (
            self.starts[node as usize] as usize,
            self.starts[node as usize + 1] as usize,
        );
        let labels = &self.labels[s..e];
        let i = if labels.len() <= 8 {
            labels.iter().position(|&l| l == b)?
        } else {
            labels.binary_search(&b).ok()?
        };
        Some(self.targets[s + i])
    }

    fn get(&self, key: &[u8]) -> Option<u32> {
        let mut node = 0;
        for &b in key {
            node = self.child(node, b)?;
        }
        Some(self.leaf[node as usize]).filter(|&l| l != NONE)
    }

    fn validate(&self, vocab: usize) -> Result<(), String> {
        let nodes = self.leaf.len();
        let edges = self.labels.len();
        if nodes == 0
            || self.starts.len() != nodes + 1
            || self.targets.len() != edges
            || self.starts[0] != 0
            || self.starts[nodes] as usize != edges
            || self.starts.windows(2).any(|w| w[0] > w[1])
            || self.targets.iter().any(|&t| t == 0 || t as usize >= nodes)
            || self.leaf.iter().any(|&l| l != NONE && l as usize >= vocab)
        {
            return Err("inconsistent trie".into());
        }
        Ok(())
    }
}

/// The Unigram (SentencePiece) model of `tokenizers`, over a [`FlatTrie`].
#[derive(Debug, Clone, PartialEq)]
pub struct FastUnigram {
    /// Piece `i` is `pieces[offsets[i]..offsets[i + 1]]` (UTF-8).
    pieces: Vec<u8>,
    offsets: Vec<u32>,
    scores: Vec<f64>,
    unk_id: Option<usize>,
    byte_fallback: bool,
    min_score: f64,
    trie: FlatTrie,
}

impl FastUnigram {
    /// As `tokenizers::models::unigram::Unigram::from`.
    pub fn from(
        vocab: Vec<(String, f64)>,
        unk_id: Option<usize>,
        byte_fallback: bool,
    ) -> Result<Self, BoxError> {
        if let Some(unk) = unk_id {
            if vocab.is_empty() {
                return Err(err("The vocabulary is empty but at least <unk> is needed"));
            }
            if unk >= vocab.len() {
                return Err(err("The `unk_id` is larger than vocabulary size"));
            }
        }
        let total: usize = vocab.iter().map(|(p, _)| p.len()).sum();
        if total > u32::MAX as usize / 2 {
            return Err(err("vocabulary too large"));
        }
        let mut pieces = Vec::with_capacity(total);
        let mut offsets = Vec::with_capacity(vocab.len() + 1);
        let mut scores = Vec::with_capacity(vocab.len());
        offsets.push(0);
        for (p, s) in &vocab {
            pieces.extend_from_slice(p.as_bytes());
            offsets.push(pieces.len() as u32);
            scores.push(*s);
        }
        let trie = {
            let slices: Vec<&[u8]> = vocab.iter().map(|(p, _)| p.as_bytes()).collect();
            FlatTrie::build(&slices)
        };
        Ok(Self::assemble(
            pieces,
            offsets,
            scores,
            unk_id,
            byte_fallback,
            trie,
        ))
    }

    fn assemble(
        pieces: Vec<u8>,
        offsets: Vec<u32>,
        scores: Vec<f64>,
        unk_id: Option<usize>,
        byte_fallback: bool,
        trie: FlatTrie,
    ) -> Self {
        let min_score = scores.iter().copied().fold(f64::INFINITY, |m, s| {
            // Same comparison as `tokenizers` (`score < min`), NaN never replacing the minimum.
            if s < m {
                s
            } else {
                m
            }
        });
        Self {
            pieces,
            offsets,
            scores,
            unk_id,
            byte_fallback,
            min_score,
            trie,
        }
    }

    fn piece(&self, id: usize) -> &str {
        let b = &self.pieces[self.offsets[id] as usize..self.offsets[id + 1] as usize];
        // Checked at construction (from `String`s, or validated when read from the cache).
        std::str::from_utf8(b).unwrap_or_default()
    }

    fn unk(&self) -> Result<usize, BoxError> {
        self.unk_id
            .ok_or_else(|| err("Encountered an unknown token but `unk_id` is missing"))
    }

    /// `tokenizers`' `Unigram::encode_optimized`, returning `(start, end, id)` segments: `id` is
    /// `None` for a run of fused unknown pieces, whose id is looked up from its text.
    fn segments(&self, sentence: &str) -> Result<Vec<(usize, usize, Option<u32>)>, BoxError> {
        #[derive(Clone, Copy)]
        struct Best {
            id: usize,
            score: f64,
            starts_at: Option<usize>,
        }
        if sentence.is_empty() {
            return Ok(Vec::new());
        }
        let bytes = sentence.as_bytes();
        let size = bytes.len();
        let unk_score = self.min_score - UNK_PENALTY;
        let mut best = vec![
            Best {
                id: 0,
                score: 0.0,
                starts_at: None,
            };
            size + 1
        ];
        let mut starts_at = 0;
        while starts_at < size {
            let till_here = best[starts_at].score;
            let mut has_single_node = false;
            let mblen = sentence[starts_at..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
            let mut node = 0u32;
            for (k, &b) in bytes[starts_at..].iter().enumerate() {
                match self.trie.child(node, b) {
                    Some(n) => node = n,
                    None => break,
                }
                let id = self.trie.leaf[node as usize];
                if id == NONE {
                    continue;
                }
                let length = k + 1;
                let target = &mut best[starts_at + length];
                let candidate = self.scores[id as usize] + till_here;
                if target.starts_at.is_none() || candidate > target.score {
                    target.score = candidate;
                    target.starts_at = Some(starts_at);
                    target.id = id as usize;
                }
                if !has_single_node && length == mblen {
                    has_single_node = true;
                }
            }
            if !has_single_node {
                let target = &mut best[starts_at + mblen];
                let candidate = unk_score + till_here;
                if target.starts_at.is_none() || candidate > target.score {
                    target.score = candidate;
                    target.starts_at = Some(starts_at);
                    target.id = self.unk()?;
                }
            }
            starts_at += mblen;
        }
        let mut out = Vec::new();
        let mut unk_run: Option<(usize, usize)> = None;
        let mut ends_at = size;
        while ends_at > 0 {
            let node = best[ends_at];
            let start = node
                .starts_at
                .ok_or_else(|| err("unigram: unreachable position"))?;
            if Some(node.id) == self.unk_id {
                unk_run = Some((start, unk_run.map_or(ends_at, |(_, e)| e)));
            } else {
                if let Some((s, e)) = unk_run.take() {
                    out.push((s, e, None));
                }
                out.push((start, ends_at, Some(node.id as u32)));
            }
            ends_at = start;
        }
        if let Some((s, e)) = unk_run {
            out.push((s, e, None));
        }
        out.reverse();
        Ok(out)
    }

    fn to_bytes(&self, rest_json: &str) -> Vec<u8> {
        let mut w = Vec::with_capacity(
            self.pieces.len() + 12 * self.scores.len() + 9 * self.trie.leaf.len() + 64,
        );
        let put_u64 = |w: &mut Vec<u8>, v: u64| w.extend_from_slice(&v.to_le_bytes());
        let put_u32s = |w: &mut Vec<u8>, v: &[u32]| {
            put_u64(w, v.len() as u64);
            for x in v {
                w.extend_from_slice(&x.to_le_bytes());
            }
        };
        put_u64(&mut w, rest_json.len() as u64);
        w.extend_from_slice(rest_json.as_bytes());
        put_u64(&mut w, self.unk_id.map_or(u64::MAX, |u| u as u64));
        w.push(self.byte_fallback as u8);
        put_u64(&mut w, self.scores.len() as u64);
        for s in &self.scores {
            w.extend_from_slice(&s.to_bits().to_le_bytes());
        }
        put_u32s(&mut w, &self.offsets);
        put_u64(&mut w, self.pieces.len() as u64);
        w.extend_from_slice(&self.pieces);
        put_u32s(&mut w, &self.trie.starts);
        put_u32s(&mut w, &self.trie.leaf);
        put_u64(&mut w, self.trie.labels.len() as u64);
        w.extend_from_slice(&self.trie.labels);
        put_u32s(&mut w, &self.trie.targets);
        w
    }

    fn from_bytes(data: &[u8]) -> Result<(Self, String), String> {
        let mut r = Reader { data, pos: 0 };
        let n = r.len()?;
        let rest = std::str::from_utf8(r.take(n)?)
            .map_err(|e| e.to_string())?
            .to_string();
        let unk = r.u64()?;
        let byte_fallback = r.take(1)?[0] != 0;
        let n = r.len()?;
        let scores: Vec<f64> = r
            .take(n.checked_mul(8).ok_or("overflow")?)?
            .chunks_exact(8)
            .map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().unwrap())))
            .collect();
        let offsets = r.u32s()?;
        let n = r.len()?;
        let pieces = r.take(n)?.to_vec();
        let starts = r.u32s()?;
        let leaf = r.u32s()?;
        let n = r.len()?;
        let labels = r.take(n)?.to_vec();
        let targets = r.u32s()?;
        if r.pos != data.len() {
            return Err("trailing bytes".into());
        }
        let vocab = scores.len();
        let unk_id = (unk != u64::MAX).then_some(unk as usize);
        if offsets.len() != vocab + 1
            || offsets[0] != 0
            || offsets[vocab] as usize != pieces.len()
            || offsets.windows(2).any(|w| w[0] > w[1])
            || unk_id.is_some_and(|u| u >= vocab)
        {
            return Err("inconsistent vocabulary".into());
        }
        if offsets
            .windows(2)
            .any(|w| std::str::from_utf8(&pieces[w[0] as usize..w[1] as usize]).is_err())
        {
            return Err("a piece is not UTF-8".into());
        }
        let trie = FlatTrie {
            starts,
            labels,
            targets,
            leaf,
        };
        trie.validate(vocab)?;
        Ok((
            Self::assemble(pieces, offsets, scores, unk_id, byte_fallback, trie),
            rest,
        ))
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or("truncated")?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn len(&mut self) -> Result<usize, String> {
        usize::try_from(self.u64()?).map_err(|e| e.to_string())
    }
    fn u32s(&mut self) -> Result<Vec<u32>, String> {
        let n = self.len()?;
        Ok(self
            .take(n.checked_mul(4).ok_or("overflow")?)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }
}

impl Model for FastUnigram {
    type Trainer = UnigramTrainer;

    /// As `Unigram::tokenize`.
    fn tokenize(&self, sentence: &str) -> tokenizers::Result<Vec<Token>> {
        let segments = self.segments(sentence)?;
        let mut tokens = Vec::with_capacity(segments.len());
        let mut offset = 0;
        for (s, e, id) in segments {
            let string = &sentence[s..e];
            let len = string.len();
            let id = match id.or_else(|| self.trie.get(string.as_bytes())) {
                Some(id) => id,
                None => {
                    if self.byte_fallback {
                        let byte_tokens: Option<Vec<Token>> = string
                            .bytes()
                            .map(|byte| {
                                let byte_string = format!("<0x{byte:02X}>");
                                self.trie
                                    .get(byte_string.as_bytes())
                                    .map(|id| Token::new(id, byte_string, (offset, offset + len)))
                            })
                            .collect();
                        if let Some(byte_tokens) = byte_tokens {
                            tokens.extend(byte_tokens);
                            offset += len;
                            continue;
                        }
                    }
                    self.unk()? as u32
                }
            };
            tokens.push(Token::new(id, string.to_string(), (offset, offset + len)));
            offset += len;
        }
        Ok(tokens)
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.trie.get(token.as_bytes())
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        ((id as usize) < self.scores.len()).then(|| self.piece(id as usize).to_string())
    }

    fn get_vocab(&self) -> HashMap<String, u32> {
        (0..self.scores.len())
            .map(|i| (self.piece(i).to_string(), i as u32))
            .collect()
    }

    fn get_vocab_size(&self) -> usize {
        self.scores.len()
    }

    fn save(&self, folder: &Path, name: Option<&str>) -> tokenizers::Result<Vec<PathBuf>> {
        let path = folder.join(match name {
            Some(n) => format!("{n}-unigram.json"),
            None => "unigram.json".into(),
        });
        let vocab: Vec<(&str, f64)> = (0..self.scores.len())
            .map(|i| (self.piece(i), self.scores[i]))
            .collect();
        let json = serde_json::json!({
            "type": "Unigram",
            "unk_id": self.unk_id,
            "vocab": vocab,
            "byte_fallback": self.byte_fallback,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&json)?)?;
        Ok(vec![path])
    }

    fn get_trainer(&self) -> UnigramTrainer {
        UnigramTrainer::default()
    }
}

/// A tokenizer whose model is [`FastUnigram`].
pub type FastTokenizer = TokenizerImpl<
    FastUnigram,
    NormalizerWrapper,
    PreTokenizerWrapper,
    PostProcessorWrapper,
    DecoderWrapper,
>;

/// The `model` object of a Unigram tokenizer.json; anything else fails to deserialise.
struct UnigramSpec {
    vocab: Vec<(String, f64)>,
    unk_id: Option<usize>,
    byte_fallback: bool,
}

impl<'de> Deserialize<'de> for UnigramSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UnigramSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a Unigram model")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnigramSpec, A::Error> {
                use serde::de::Error;
                let mut kind: Option<String> = None;
                let mut vocab = None;
                let mut unk_id = None;
                let mut byte_fallback = false;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "type" => {
                            let t: String = map.next_value()?;
                            if t != "Unigram" {
                                return Err(A::Error::custom(format!("model type {t}")));
                            }
                            kind = Some(t);
                        }
                        "vocab" => vocab = Some(map.next_value()?),
                        "unk_id" => unk_id = map.next_value()?,
                        "byte_fallback" => byte_fallback = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                match (kind, vocab) {
                    (Some(_), Some(vocab)) => Ok(UnigramSpec {
                        vocab,
                        unk_id,
                        byte_fallback,
                    }),
                    _ => Err(A::Error::custom("not a Unigram model")),
                }
            }
        }
        d.deserialize_map(V)
    }
}

/// tokenizer.json with a Unigram model; the other parts kept as (small) JSON values.
#[derive(Deserialize)]
struct UnigramFile {
    model: UnigramSpec,
    #[serde(flatten)]
    rest: RestValues,
}

#[derive(Deserialize, Serialize)]
struct RestValues {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    added_tokens: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    normalizer: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pre_tokenizer: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    post_processor: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decoder: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct AddedTokenWithId {
    #[allow(dead_code)]
    id: u32,
    #[serde(flatten)]
    token: AddedToken,
}

/// Everything but the model, typed.
#[derive(Deserialize)]
struct Rest {
    version: Option<String>,
    #[serde(default)]
    added_tokens: Vec<AddedTokenWithId>,
    normalizer: Option<NormalizerWrapper>,
    pre_tokenizer: Option<PreTokenizerWrapper>,
    post_processor: Option<PostProcessorWrapper>,
    decoder: Option<DecoderWrapper>,
}

/// Assembles the tokenizer as `tokenizers`' own deserialiser does (truncation and padding are
/// left off: mtcheck windows long texts and pads batches itself).
fn assemble(model: FastUnigram, rest_json: &str) -> Result<FastTokenizer, BoxError> {
    let rest: Rest = serde_json::from_str(rest_json)?;
    if let Some(v) = &rest.version {
        if v != "1.0" {
            return Err(err(format!("Unknown tokenizer version '{v}'")));
        }
    }
    let mut tokenizer = TokenizerBuilder::new()
        .with_model(model)
        .with_normalizer(rest.normalizer)
        .with_pre_tokenizer(rest.pre_tokenizer)
        .with_post_processor(rest.post_processor)
        .with_decoder(rest.decoder)
        .build()?;
    tokenizer.add_tokens(rest.added_tokens.into_iter().map(|t| t.token))?;
    Ok(tokenizer)
}

/// Token ids and each token's byte range, as `encode_with_offsets` gives them.
pub type IdsAndOffsets = (Vec<u32>, Vec<(usize, usize)>);

/// How a tokenizer was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadedFrom {
    /// `tokenizers::Tokenizer` from the JSON (not a Unigram model).
    Standard,
    /// [`FastUnigram`] from the JSON, without a cache.
    Json,
    /// From the JSON, and the cache was (re)written.
    JsonCached,
    /// From a valid cache file.
    Cache,
}

/// A loaded tokenizer: the fast Unigram path or `tokenizers`' general one.
pub enum TextTokenizer {
    Standard(Box<tokenizers::Tokenizer>),
    Unigram(Box<FastTokenizer>),
}

impl TextTokenizer {
    /// Token ids of `text`, special tokens added by the post-processor.
    pub fn encode_ids(&self, text: String) -> tokenizers::Result<Vec<u32>> {
        let enc = match self {
            TextTokenizer::Standard(t) => t.encode(text, true)?,
            TextTokenizer::Unigram(t) => t.encode(text, true)?,
        };
        Ok(enc.get_ids().to_vec())
    }

    /// Token ids of `text` and each token's byte range in `text` (special tokens, which cover
    /// no text, get an empty range).
    pub fn encode_with_offsets(&self, text: String) -> tokenizers::Result<IdsAndOffsets> {
        let enc = match self {
            TextTokenizer::Standard(t) => t.encode(text, true)?,
            TextTokenizer::Unigram(t) => t.encode(text, true)?,
        };
        Ok((enc.get_ids().to_vec(), enc.get_offsets().to_vec()))
    }

    /// Loads `path` (a tokenizer.json), using the cache in `cache_dir` for Unigram tokenizers of at
    /// least `min_cache_bytes`.
    pub fn load(
        path: &Path,
        cache_dir: Option<&Path>,
        min_cache_bytes: u64,
    ) -> tokenizers::Result<(Self, LoadedFrom)> {
        let meta = std::fs::metadata(path)?;
        let stamp = SourceStamp::of(&meta);
        let cache_file = cache_dir
            .filter(|_| meta.len() >= min_cache_bytes)
            .map(|d| d.join(cache_file_name(path)));
        if let Some(file) = &cache_file {
            if let Some((model, rest)) = read_cache(file, &stamp) {
                if let Ok(t) = assemble(model, &rest) {
                    return Ok((Self::Unigram(Box::new(t)), LoadedFrom::Cache));
                }
            }
        }
        let text = std::fs::read_to_string(path)?;
        let parsed = match serde_json::from_str::<UnigramFile>(&text) {
            Ok(f) => f,
            Err(_) => {
                let mut t = tokenizers::Tokenizer::from_str(&text)?;
                t.with_truncation(None)?;
                t.with_padding(None);
                return Ok((Self::Standard(Box::new(t)), LoadedFrom::Standard));
            }
        };
        drop(text);
        let rest = serde_json::to_string(&parsed.rest)?;
        let m = parsed.model;
        let model = FastUnigram::from(m.vocab, m.unk_id, m.byte_fallback)?;
        let payload = cache_file.as_ref().map(|_| model.to_bytes(&rest));
        let tokenizer = assemble(model, &rest)?;
        let mut from = LoadedFrom::Json;
        if let (Some(file), Some(payload)) = (&cache_file, payload) {
            // A cache that cannot be written only costs the next start-up its speed.
            if write_cache(file, &stamp, &payload).is_ok() {
                from = LoadedFrom::JsonCached;
            }
        }
        Ok((Self::Unigram(Box::new(tokenizer)), from))
    }
}

/// `$MTCHECK_CACHE_DIR` (empty: no cache), else `$XDG_CACHE_HOME/mtcheck`, else `~/.cache/mtcheck`.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("MTCHECK_CACHE_DIR") {
        return (!d.is_empty()).then(|| PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("mtcheck"));
    }
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(|h| PathBuf::from(h).join(".cache").join("mtcheck"))
}

#[derive(Debug, PartialEq, Eq)]
struct SourceStamp {
    size: u64,
    mtime_ns: u128,
}

impl SourceStamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Self {
            size: meta.len(),
            mtime_ns,
        }
    }
}

fn cache_file_name(path: &Path) -> String {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!(
        "tokenizer-{:016x}.bin",
        fnv1a64_words(canonical.to_string_lossy().as_bytes())
    )
}

const HEADER_LEN: usize = 8 + 4 + 8 + 16 + 8 + 8;

fn read_cache(file: &Path, stamp: &SourceStamp) -> Option<(FastUnigram, String)> {
    let data = std::fs::read(file).ok()?;
    if data.len() < HEADER_LEN || &data[..8] != MAGIC {
        return None;
    }
    let u64_at = |i: usize| u64::from_le_bytes(data[i..i + 8].try_into().unwrap());
    let version = u32::from_le_bytes(data[8..12].try_into().unwrap());
    let size = u64_at(12);
    let mtime_ns = u128::from_le_bytes(data[20..36].try_into().unwrap());
    let len = u64_at(36);
    let sum = u64_at(44);
    let payload = &data[HEADER_LEN..];
    if version != FORMAT_VERSION
        || size != stamp.size
        || mtime_ns != stamp.mtime_ns
        || len != payload.len() as u64
        || sum != fnv1a64_words(payload)
    {
        return None;
    }
    FastUnigram::from_bytes(payload).ok()
}

fn write_cache(file: &Path, stamp: &SourceStamp, payload: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&stamp.size.to_le_bytes())?;
        w.write_all(&stamp.mtime_ns.to_le_bytes())?;
        w.write_all(&(payload.len() as u64).to_le_bytes())?;
        w.write_all(&fnv1a64_words(payload).to_le_bytes())?;
        w.write_all(payload)?;
        w.flush()?;
    }
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_unigram_json() -> String {
        let vocab = serde_json::json!([
            ["<s>", 0.0],
            ["<pad>", 0.0],
            ["</s>", 0.0],
            ["<unk>", 0.0],
            ["▁", -2.0],
            ["▁the", -3.0],
            ["▁cat", -4.0],
            ["c", -5.0],
            ["a", -5.0],
            ["t", -5.0],
            ["at", -4.5],
            ["▁ca", -6.0],
            ["s", -5.5],
            ["é", -7.0],
            ["▁é", -8.0],
            ["at", -1.0],
            ["<0xC3>", -9.0],
            ["<0xA9>", -9.0],
            ["<0xBC>", -9.0],
            ["▁<mask>", -3.0],
            ["<mask>", 0.0]
        ]);
        serde_json::json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": [
                {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                {"id": 3, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                {"id": 20, "content": "<mask>", "single_word": false, "lstrip": true, "rstrip": false, "normalized": false, "special": true}
            ],
            "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
            "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "add_prefix_space": true},
            "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
            "decoder": {"type": "Metaspace", "replacement": "▁", "add_prefix_space": true},
            "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": false}
        })
        .to_string()
    }

    const TEXTS: &[&str] = &[
        "the cat",
        "the cats sat",
        "thé   cat éé ca",
        "xyz qqq the",
        "<mask> the cat <s>",
        "",
        "   ",
        "ﬁ ① cat",
        "tat at atat",
        "über üü cat",
    ];

    fn reference(json: &str) -> tokenizers::Tokenizer {
        tokenizers::Tokenizer::from_str(json).unwrap()
    }

    #[test]
    fn fast_unigram_matches_tokenizers_on_a_tiny_vocabulary() {
        for byte_fallback in [false, true] {
            let json = tiny_unigram_json().replace(
                "\"byte_fallback\":false",
                &format!("\"byte_fallback\":{byte_fallback}"),
            );
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("tokenizer.json");
            std::fs::write(&path, &json).unwrap();
            let cache = dir.path().join("cache");
            let reference = reference(&json);
            let mut kinds = Vec::new();
            for _ in 0..2 {
                let (fast, from) = TextTokenizer::load(&path, Some(&cache), 0).unwrap();
                kinds.push(from);
                assert!(matches!(fast, TextTokenizer::Unigram(_)));
                for t in TEXTS {
                    let want = reference.encode(*t, true).unwrap();
                    let got = match &fast {
                        TextTokenizer::Unigram(f) => f.encode(*t, true).unwrap(),
                        _ => unreachable!(),
                    };
                    assert_eq!(got.get_ids(), want.get_ids(), "{t:?} {byte_fallback}");
                    assert_eq!(got.get_offsets(), want.get_offsets(), "{t:?}");
                    assert_eq!(got.get_tokens(), want.get_tokens(), "{t:?}");
                }
            }
            assert_eq!(kinds, [LoadedFrom::JsonCached, LoadedFrom::Cache]);
        }
    }

    #[test]
    fn stale_or_corrupt_cache_falls_back_to_json_and_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokenizer.json");
        let json = tiny_unigram_json();
        std::fs::write(&path, &json).unwrap();
        let cache = dir.path().join("cache");
        let load = || TextTokenizer::load(&path, Some(&cache), 0).unwrap().1;
        assert_eq!(load(), LoadedFrom::JsonCached);
        let file = cache.join(cache_file_name(&path));
        // Corrupt one payload byte: checksum mismatch.
        let mut data = std::fs::read(&file).unwrap();
        let last = data.len() - 1;
        data[last] ^= 0xff;
        std::fs::write(&file, &data).unwrap();
        assert_eq!(load(), LoadedFrom::JsonCached);
        assert_eq!(load(), LoadedFrom::Cache);
        // Truncated file.
        std::fs::write(&file, &data[..data.len() / 2]).unwrap();
        assert_eq!(load(), LoadedFrom::JsonCached);
        // Source changed (size differs): stale.
        std::fs::write(&path, format!("{json}\n")).unwrap();
        assert_eq!(load(), LoadedFrom::JsonCached);
        assert_eq!(load(), LoadedFrom::Cache);
        // Small files skip the cache entirely; no cache dir means none either.
        assert_eq!(
            TextTokenizer::load(&path, Some(&cache), 1 << 30).unwrap().1,
            LoadedFrom::Json
        );
        assert_eq!(
            TextTokenizer::load(&path, None, 0).unwrap().1,
            LoadedFrom::Json
        );
    }

    #[test]
    fn non_unigram_tokenizers_use_the_standard_path() {
        let json = serde_json::json!({
            "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
            "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
            "decoder": null,
            "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "cat": 1}, "unk_token": "[UNK]"}
        })
        .to_string();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokenizer.json");
        std::fs::write(&path, json).unwrap();
        let (t, from) = TextTokenizer::load(&path, Some(dir.path()), 0).unwrap();
        assert_eq!(from, LoadedFrom::Standard);
        assert_eq!(t.encode_ids("cat dog".into()).unwrap(), vec![1, 0]);
    }

    #[test]
    fn flat_trie_finds_exactly_the_pieces() {
        let pieces: Vec<&[u8]> = vec![b"ab", b"a", b"abc", b"b", b"", b"ab"];
        let t = FlatTrie::build(&pieces);
        t.validate(pieces.len()).unwrap();
        assert_eq!(t.get(b"a"), Some(1));
        assert_eq!(t.get(b"ab"), Some(5), "a duplicate piece keeps its last id");
        assert_eq!(t.get(b"abc"), Some(2));
        assert_eq!(t.get(b"b"), Some(3));
        assert_eq!(t.get(b""), Some(4));
        assert_eq!(t.get(b"ac"), None);
        assert_eq!(t.get(b"abcd"), None);
    }
}
