//! The encoder against candle-transformers' reference BERT and XLM-RoBERTa on tiny random models,
//! and the embedder's pooling, windowing and batching on them.

use crate::common;

use crate::common::{Arch, TinySpec};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use mtcheck::model::f32linear::F32Kernel;
use mtcheck::model::{self, bert::BertEncoder, Config, Embedder, LoadOptions};
use mtcheck::util::vector;

fn var_builder(dir: &std::path::Path) -> VarBuilder<'static> {
    unsafe {
        VarBuilder::from_mmaped_safetensors(
            &[dir.join("model.safetensors")],
            DType::F32,
            &Device::Cpu,
        )
        .unwrap()
    }
}

/// A tiny random model of `arch` in a temporary folder.
fn tiny_dir(arch: Arch, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::tiny_model(
        dir.path(),
        &TinySpec {
            arch,
            ..TinySpec::default()
        },
        seed,
    );
    dir
}

/// The model's config.json as the encoder reads it.
fn config(dir: &std::path::Path) -> Config {
    serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap()
}

/// Two right-padded sequences: lengths 7 and 4.
fn batch(arch: Arch) -> (Tensor, Tensor, Vec<usize>) {
    let (bos, eos, pad) = match arch {
        Arch::Bert => (2u32, 3u32, 0u32),
        Arch::XlmRoberta => (0, 2, 1),
    };
    let ids = vec![bos, 4, 5, 6, 7, 8, eos, bos, 9, 10, eos, pad, pad, pad];
    let mask = vec![1u32, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];
    (
        Tensor::from_vec(ids, (2, 7), &Device::Cpu).unwrap(),
        Tensor::from_vec(mask, (2, 7), &Device::Cpu).unwrap(),
        vec![7, 4],
    )
}

fn max_diff_on_tokens(a: &Tensor, b: &Tensor, lens: &[usize]) -> f32 {
    let mut worst = 0f32;
    for (row, &len) in lens.iter().enumerate() {
        let x = a.get(row).unwrap().narrow(0, 0, len).unwrap();
        let y = b.get(row).unwrap().narrow(0, 0, len).unwrap();
        let d: f32 = (x - y)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar()
            .unwrap();
        worst = worst.max(d);
    }
    worst
}

#[test]
fn bert_encoder_matches_candle_transformers_reference() {
    let dir = tiny_dir(Arch::Bert, 1);
    let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    let ours_cfg: Config = serde_json::from_str(&text).unwrap();
    let ref_cfg: candle_transformers::models::bert::Config = serde_json::from_str(&text).unwrap();
    let ours = BertEncoder::load(var_builder(dir.path()), &ours_cfg).unwrap();
    let reference =
        candle_transformers::models::bert::BertModel::load(var_builder(dir.path()), &ref_cfg)
            .unwrap();
    let (ids, mask, lens) = batch(Arch::Bert);
    let a = ours.forward(&ids, &mask).unwrap();
    let b = reference
        .forward(&ids, &ids.zeros_like().unwrap(), Some(&mask))
        .unwrap();
    let d = max_diff_on_tokens(&a, &b, &lens);
    assert!(d < 1e-4, "max difference {d}");
}

/// The packed AVX-512 and AVX2 f32 projections agree with candle-transformers' BERT, and with
/// each other bit for bit (the same fused multiply-adds in the same order).
#[test]
#[cfg_attr(
    not(all(mtcheck_cpu = "avx512f", mtcheck_cpu = "avx2fma")),
    ignore = "this CPU lacks AVX-512 or AVX2 with FMA"
)]
fn packed_avx512_and_avx2_projections_are_bit_identical() {
    let dir = tiny_dir(Arch::Bert, 1);
    let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    let ours_cfg: Config = serde_json::from_str(&text).unwrap();
    let ref_cfg: candle_transformers::models::bert::Config = serde_json::from_str(&text).unwrap();
    let reference =
        candle_transformers::models::bert::BertModel::load(var_builder(dir.path()), &ref_cfg)
            .unwrap();
    let (ids, mask, lens) = batch(Arch::Bert);
    let b = reference
        .forward(&ids, &ids.zeros_like().unwrap(), Some(&mask))
        .unwrap();
    let mut states = Vec::new();
    for kernel in [F32Kernel::Avx512, F32Kernel::Avx2] {
        assert!(
            kernel.available(),
            "{kernel:?}: build.rs saw it, the run-time check does not"
        );
        let mut packed = BertEncoder::load(var_builder(dir.path()), &ours_cfg).unwrap();
        packed.pack_f32(Some(kernel)).unwrap();
        let c = packed.forward(&ids, &mask).unwrap();
        let d = max_diff_on_tokens(&c, &b, &lens);
        assert!(d < 1e-4, "packed {kernel:?}: max difference {d}");
        states.push(c.flatten_all().unwrap().to_vec1::<f32>().unwrap());
    }
    let [a, b] = &states[..] else {
        unreachable!("two kernels ran")
    };
    assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn xlmr_encoder_matches_reference_including_position_offset() {
    let dir = tiny_dir(Arch::XlmRoberta, 2);
    let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    let ours_cfg: Config = serde_json::from_str(&text).unwrap();
    let ref_cfg: candle_transformers::models::xlm_roberta::Config =
        serde_json::from_str(&text).unwrap();
    let ours = BertEncoder::load(var_builder(dir.path()), &ours_cfg).unwrap();
    let reference = candle_transformers::models::xlm_roberta::XLMRobertaModel::new(
        &ref_cfg,
        var_builder(dir.path()),
    )
    .unwrap();
    let (ids, mask, lens) = batch(Arch::XlmRoberta);
    let a = ours.forward(&ids, &mask).unwrap();
    let b = reference
        .forward(&ids, &mask, &ids.zeros_like().unwrap(), None, None, None)
        .unwrap();
    let d = max_diff_on_tokens(&a, &b, &lens);
    assert!(d < 1e-4, "max difference {d}");

    // Control: numbering positions from 0 (BERT style) on this model gives different states,
    // so the comparison above really exercises the offset.
    let mut bert_style = ours_cfg.clone();
    bert_style.model_type = Some("bert".into());
    bert_style.architectures = None;
    let wrong = BertEncoder::load(var_builder(dir.path()), &bert_style).unwrap();
    let c = wrong.forward(&ids, &mask).unwrap();
    assert!(max_diff_on_tokens(&c, &b, &lens) > 1e-2);
}

fn tiny_embedder(arch: Arch, budget: usize) -> (tempfile::TempDir, Embedder) {
    let dir = tiny_dir(arch, 3);
    let e = Embedder::load(
        dir.path().to_str().unwrap(),
        &LoadOptions {
            token_budget: budget,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    (dir, e)
}

#[test]
fn embeddings_do_not_depend_on_batch_composition() {
    for arch in [Arch::Bert, Arch::XlmRoberta] {
        let (_d, small) = tiny_embedder(arch, 1);
        let (_d2, big) = tiny_embedder(arch, 4096);
        let texts = [
            "the cat sat on the mat .",
            "a dog",
            "the big red house in the old city opens a new museum",
        ];
        let a = small.embed(&texts).unwrap().vectors;
        let b = big.embed(&texts).unwrap().vectors;
        for (x, y) in a.iter().zip(&b) {
            assert!((vector::dot(x, y) - 1.0).abs() < 1e-5, "{arch:?}");
            assert!((vector::dot(x, x) - 1.0).abs() < 1e-5);
        }
    }
}

/// The CUDA path tokenises the next chunk while the current one is encoded; the vectors, the
/// windowing flags and the token count must not depend on it.
#[test]
fn pipelined_tokenisation_gives_the_same_embeddings_in_order() {
    let (_d, plain) = tiny_embedder(Arch::Bert, 4096);
    let (_d2, mut piped) = tiny_embedder(Arch::Bert, 4096);
    piped.set_pipeline_chunk(Some(2));
    let long = common::WORDS[..40].join(" ");
    let texts = [
        "the cat sat on the mat .",
        "a dog",
        long.as_str(),
        "the big red house in the old city opens a new museum",
        "a new museum",
    ];
    let a = plain.embed_uncached(&texts).unwrap();
    let b = piped.embed_uncached(&texts).unwrap();
    assert_eq!(a.vectors.len(), texts.len());
    assert_eq!(
        (a.windowed, a.lengths, a.tokens),
        (b.windowed, b.lengths, b.tokens)
    );
    for (x, y) in a.vectors.iter().zip(&b.vectors) {
        assert!((vector::dot(x, y) - 1.0).abs() < 1e-5);
    }
    // Distinct texts keep distinct vectors: nothing was reordered across chunks.
    assert!(vector::dot(&b.vectors[0], &b.vectors[1]) < 0.9999);
}

#[test]
fn long_text_is_windowed_not_truncated() {
    let (_d, e) = tiny_embedder(Arch::Bert, 4096);
    assert_eq!(e.max_tokens(), 24);
    let long_a = common::WORDS[..40].join(" ");
    let long_b = format!(
        "{long_a} {}",
        common::WORDS[..40]
            .iter()
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = e.embed(&[&long_a, &long_b, "the cat"]).unwrap();
    assert_eq!(out.windowed, vec![true, true, false]);
    // Text past the first window changes the embedding: nothing was cut off.
    assert!(vector::dot(&out.vectors[0], &out.vectors[1]) < 0.9999);
}

#[test]
fn cls_pooling_with_tanh_dense_head_from_sentence_transformers_files() {
    let dir = tiny_dir(Arch::Bert, 4);
    common::add_cls_dense(dir.path(), 32, 16);
    let e = Embedder::load(dir.path().to_str().unwrap(), &LoadOptions::default()).unwrap();
    assert_eq!(e.info.settings.pooling, model::Pooling::Cls);
    let v = e.embed(&["the cat sat"]).unwrap().vectors;
    assert_eq!(v[0].len(), 16);

    // The same computation by hand: CLS state → Dense → tanh → unit length.
    let cfg = config(dir.path());
    let enc = BertEncoder::load(var_builder(dir.path()), &cfg).unwrap();
    let ids = Tensor::new(&[[2u32, 4, 5, 6, 3]], &Device::Cpu).unwrap();
    let hidden = enc.forward(&ids, &ids.ones_like().unwrap()).unwrap();
    let cls = hidden.get(0).unwrap().get(0).unwrap();
    let dense = unsafe {
        VarBuilder::from_mmaped_safetensors(
            &[dir.path().join("2_Dense/model.safetensors")],
            DType::F32,
            &Device::Cpu,
        )
        .unwrap()
    };
    let w = dense.get((16, 32), "linear.weight").unwrap();
    let b = dense.get(16, "linear.bias").unwrap();
    let y = (w
        .matmul(&cls.unsqueeze(1).unwrap())
        .unwrap()
        .squeeze(1)
        .unwrap()
        + b)
        .unwrap()
        .tanh()
        .unwrap();
    let y = vector::normalized(y.to_vec1().unwrap());
    assert!((vector::dot(&y, &v[0]) - 1.0).abs() < 1e-5);
}

#[test]
fn corrupt_weights_are_a_model_error_naming_the_file() {
    let dir = tiny_dir(Arch::Bert, 5);
    std::fs::write(dir.path().join("model.safetensors"), b"not safetensors").unwrap();
    let err = Embedder::load(dir.path().to_str().unwrap(), &LoadOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("model.safetensors"), "{err}");

    common::tiny_model(dir.path(), &TinySpec::default(), 5);
    std::fs::write(dir.path().join("config.json"), b"{\"hidden_size\": 3").unwrap();
    let err = Embedder::load(dir.path().to_str().unwrap(), &LoadOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("config.json"), "{err}");

    common::tiny_model(
        dir.path(),
        &TinySpec {
            hidden: 48,
            ..TinySpec::default()
        },
        5,
    );
    let cfg = std::fs::read_to_string(dir.path().join("config.json"))
        .unwrap()
        .replace("\"hidden_size\": 48", "\"hidden_size\": 32");
    std::fs::write(dir.path().join("config.json"), cfg).unwrap();
    let err = Embedder::load(dir.path().to_str().unwrap(), &LoadOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("does not match config.json"), "{err}");
}

/// Rewrites `dir`'s weights in `dtype` (all floating tensors).
fn convert_weights(dir: &std::path::Path, dtype: DType) {
    let path = dir.join("model.safetensors");
    let tensors = candle_core::safetensors::load(&path, &Device::Cpu).unwrap();
    let converted: std::collections::HashMap<String, Tensor> = tensors
        .into_iter()
        .map(|(k, t)| (k, t.to_dtype(dtype).unwrap()))
        .collect();
    candle_core::safetensors::save(&converted, &path).unwrap();
}

#[test]
fn mmaped_word_embeddings_equal_copied_ones_exactly() {
    for (arch, file_dtype, compute) in [
        (Arch::Bert, DType::F32, DType::F32),
        (Arch::XlmRoberta, DType::F32, DType::F32),
        (Arch::Bert, DType::F16, DType::F32),
        (Arch::Bert, DType::BF16, DType::F32),
        (Arch::XlmRoberta, DType::F16, DType::F16),
        (Arch::Bert, DType::F32, DType::BF16),
    ] {
        let dir = tiny_dir(arch, 6);
        if file_dtype != DType::F32 {
            convert_weights(dir.path(), file_dtype);
        }
        let cfg = config(dir.path());
        let path = dir.path().join("model.safetensors");
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[&path], compute, &Device::Cpu) }
            .unwrap();
        let copied = BertEncoder::load(vb, &cfg).unwrap();
        let weights = std::sync::Arc::new(
            unsafe { candle_core::safetensors::MmapedSafetensors::new(&path) }.unwrap(),
        );
        let mapped = BertEncoder::load_mmaped(weights, compute, &Device::Cpu, &cfg).unwrap();
        let (ids, mask, _) = batch(arch);
        let a = copied.forward(&ids, &mask).unwrap();
        let b = mapped.forward(&ids, &mask).unwrap();
        assert_eq!(a.dtype(), compute);
        let a: Vec<f32> = a
            .to_dtype(DType::F32)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let b: Vec<f32> = b
            .to_dtype(DType::F32)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        assert_eq!(a, b, "{arch:?} file {file_dtype:?} compute {compute:?}");

        // An id outside the vocabulary is an error, not a read past the matrix.
        let bad = Tensor::new(&[[cfg.vocab_size as u32]], &Device::Cpu).unwrap();
        assert!(mapped.forward(&bad, &bad.ones_like().unwrap()).is_err());
    }
}

/// Sequences of very different lengths in one batch (1 to the tiny model's maximum of 24 tokens),
/// with ids drawn from the whole vocabulary.
fn ragged_sequences(arch: Arch) -> Vec<Vec<u32>> {
    let (bos, eos) = match arch {
        Arch::Bert => (2u32, 3u32),
        Arch::XlmRoberta => (0, 2),
    };
    [24usize, 1, 2, 17, 5, 24, 3]
        .iter()
        .enumerate()
        .map(|(k, &len)| {
            let mut s: Vec<u32> = (0..len)
                .map(|i| 4 + ((k * 31 + i * 17) % common::WORDS.len()) as u32)
                .collect();
            if len >= 2 {
                s[0] = bos;
                s[len - 1] = eos;
            }
            s
        })
        .collect()
}

/// The ragged sequences right-padded, as the padded path sees them.
fn padded_batch(seqs: &[Vec<u32>], pad: u32) -> (Tensor, Tensor) {
    let width = seqs.iter().map(Vec::len).max().unwrap();
    let mut ids = Vec::new();
    let mut mask = Vec::new();
    for s in seqs {
        ids.extend(s.iter().copied().chain(std::iter::repeat(pad)).take(width));
        mask.extend((0..width).map(|i| u32::from(i < s.len())));
    }
    (
        Tensor::from_vec(ids, (seqs.len(), width), &Device::Cpu).unwrap(),
        Tensor::from_vec(mask, (seqs.len(), width), &Device::Cpu).unwrap(),
    )
}

/// Largest absolute difference between the packed states and the real-token rows of the padded
/// ones.
fn packed_vs_padded(packed: &Tensor, padded: &Tensor, seqs: &[Vec<u32>]) -> f32 {
    let packed: Vec<Vec<f32>> = packed.to_vec2().unwrap();
    let padded: Vec<Vec<Vec<f32>>> = padded.to_vec3().unwrap();
    assert_eq!(packed.len(), seqs.iter().map(Vec::len).sum::<usize>());
    let mut rows = packed.iter();
    let mut worst = 0f32;
    for (s, padded_rows) in seqs.iter().zip(&padded) {
        for want in &padded_rows[..s.len()] {
            let got = rows.next().unwrap();
            for (a, b) in got.iter().zip(want) {
                worst = worst.max((a - b).abs());
            }
        }
    }
    worst
}

fn max_abs(a: &Tensor, b: &Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .max_all()
        .unwrap()
        .to_scalar()
        .unwrap()
}

#[test]
fn packed_sequences_give_the_padded_states_and_pooled_vectors_in_f32_and_q8() {
    for arch in [Arch::Bert, Arch::XlmRoberta] {
        let dir = tiny_dir(arch, 8);
        let cfg = config(dir.path());
        let seqs = ragged_sequences(arch);
        let (ids, mask) = padded_batch(&seqs, cfg.pad_token_id as u32);
        let (flat, offsets) = model::bert::pack(&seqs);
        let flat = Tensor::new(flat.as_slice(), &Device::Cpu).unwrap();
        for mode in ["candle f32", "packed f32", "q8"] {
            let mut enc = BertEncoder::load(var_builder(dir.path()), &cfg).unwrap();
            match mode {
                "packed f32" => enc.pack_f32(F32Kernel::detect()).unwrap(),
                "q8" => enc
                    .quantize_q8(model::q8::Kernel::choose().unwrap())
                    .unwrap(),
                _ => {}
            }
            assert!(enc.packs());
            let padded = enc.forward(&ids, &mask).unwrap();
            let packed = enc
                .forward_packed(&flat, &offsets, enc.num_layers())
                .unwrap();
            let d = packed_vs_padded(&packed, &padded, &seqs);
            assert!(d <= 1e-5, "{arch:?} {mode}: states differ by {d}");
            for pooling in [model::Pooling::Mean, model::Pooling::Cls] {
                let want = model::bert::pool(&padded, &mask, pooling).unwrap();
                let got = model::bert::pool_packed(&packed, &offsets, pooling).unwrap();
                assert_eq!(got.dims(), want.dims());
                let d = max_abs(&got, &want);
                assert!(
                    d <= 1e-5,
                    "{arch:?} {mode} {pooling:?}: pooled differ by {d}"
                );
            }
        }
    }
}

#[test]
fn packed_token_states_equal_padded_ones_at_every_layer() {
    let dir = tiny_dir(Arch::XlmRoberta, 9);
    let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    let cfg: Config = serde_json::from_str(&text).unwrap();
    let enc = BertEncoder::load(var_builder(dir.path()), &cfg).unwrap();
    let seqs = ragged_sequences(Arch::XlmRoberta);
    let (ids, mask) = padded_batch(&seqs, cfg.pad_token_id as u32);
    let (flat, offsets) = model::bert::pack(&seqs);
    let flat = Tensor::new(flat.as_slice(), &Device::Cpu).unwrap();
    // Layer 0 (embeddings only) checks that positions restart at the offset for each sequence.
    for layer in [0, 1, 2, 9] {
        let padded = enc.forward_layers(&ids, &mask, layer).unwrap();
        let packed = enc.forward_packed(&flat, &offsets, layer).unwrap();
        let d = packed_vs_padded(&packed, &padded, &seqs);
        assert!(d <= 1e-5, "layer {layer}: states differ by {d}");
    }

    // The embedder's token states (packed on the CPU) are the padded states of each text's own
    // tokens: the leading <s> and the trailing </s> left out.
    let e = Embedder::load(dir.path().to_str().unwrap(), &LoadOptions::default()).unwrap();
    let long = common::WORDS[..20].join(" ");
    let texts = [
        "the cat",
        long.as_str(),
        "a",
        "the old river , the new city .",
    ];
    let states = e.token_states(&texts, 1).unwrap();
    let tokenised: Vec<Vec<u32>> = texts.iter().map(|t| e.tokenize(t).unwrap()).collect();
    let (ids, mask) = padded_batch(&tokenised, cfg.pad_token_id as u32);
    let padded: Vec<Vec<Vec<f32>>> = enc
        .forward_layers(&ids, &mask, 1)
        .unwrap()
        .to_vec3()
        .unwrap();
    for ((got, want), t) in states.iter().zip(&padded).zip(&tokenised) {
        assert_eq!(got.len(), t.len() - 2);
        for (g, w) in got.iter().zip(&want[1..]) {
            let d = g
                .iter()
                .zip(w)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(d <= 1e-5, "token states differ by {d}");
        }
    }
}

#[test]
fn packed_offsets_and_lengths_are_checked_not_trusted() {
    let dir = tiny_dir(Arch::Bert, 10);
    let cfg = config(dir.path());
    let enc = BertEncoder::load(var_builder(dir.path()), &cfg).unwrap();
    let ids = Tensor::new(&[2u32, 4, 5, 3], &Device::Cpu).unwrap();
    for bad in [&[0usize, 3][..], &[0, 3, 2, 4], &[1, 4], &[]] {
        assert!(enc.forward_packed(&ids, bad, 2).is_err(), "{bad:?}");
    }
    // A sequence longer than the model's positions is an error, as it is when padded.
    let long = Tensor::new(vec![4u32; 25].as_slice(), &Device::Cpu).unwrap();
    assert!(enc.forward_packed(&long, &[0, 25], 2).is_err());
    // Empty sequences, and an empty batch, pass through.
    let out = enc.forward_packed(&ids, &[0, 0, 4, 4], 2).unwrap();
    assert_eq!(out.dims(), &[4, 32]);
    let pooled = model::bert::pool_packed(&out, &[0, 0, 4, 4], model::Pooling::Mean).unwrap();
    assert_eq!(pooled.dims(), &[3, 32]);
    let none = Tensor::new(&[] as &[u32], &Device::Cpu).unwrap();
    assert_eq!(enc.forward_packed(&none, &[0], 2).unwrap().dims(), &[0, 32]);
    // Other dtypes pad: the packed path refuses rather than running candle's ops on it.
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(
            &[dir.path().join("model.safetensors")],
            DType::F16,
            &Device::Cpu,
        )
    }
    .unwrap();
    let half = BertEncoder::load(vb, &cfg).unwrap();
    assert!(!half.packs());
    assert!(half.forward_packed(&ids, &[0, 4], 2).is_err());
}

/// On the CPU in f32 and q8 batches are packed: no padding is computed (the bench's
/// `padded_tokens` equals its tokens) and the vectors are the padded path's; f16 on the CPU still
/// pads, and agrees with f32.
#[test]
fn cpu_batches_are_padding_free_and_give_the_padded_vectors() {
    let dir = tiny_dir(Arch::Bert, 11);
    let long = common::WORDS[..22].join(" ");
    let texts = [
        "the cat sat on the mat .",
        "a",
        long.as_str(),
        "the big red house in the old city opens a new museum",
        "dog",
    ];
    let load = |dtype| {
        Embedder::load(
            dir.path().to_str().unwrap(),
            &LoadOptions {
                dtype,
                ..LoadOptions::default()
            },
        )
        .unwrap()
    };
    let cfg = config(dir.path());
    let reference = BertEncoder::load(var_builder(dir.path()), &cfg).unwrap();
    let f32e = load(model::ModelDtype::F32);
    let out = f32e.embed_uncached(&texts).unwrap();
    assert_eq!(f32e.stage_times().padded_tokens, out.tokens as u64);
    let tokenised: Vec<Vec<u32>> = texts.iter().map(|t| f32e.tokenize(t).unwrap()).collect();
    let (ids, mask) = padded_batch(&tokenised, cfg.pad_token_id as u32);
    let hidden = reference.forward(&ids, &mask).unwrap();
    let pooled: Vec<Vec<f32>> = model::bert::pool(&hidden, &mask, model::Pooling::Mean)
        .unwrap()
        .to_vec2()
        .unwrap();
    for (v, p) in out.vectors.iter().zip(pooled) {
        let cos = vector::dot(v, &vector::normalized(p));
        assert!(cos >= 0.99999, "cosine {cos}");
    }

    let q8 = load(model::ModelDtype::Q8);
    let q = q8.embed_uncached(&texts).unwrap();
    assert_eq!(q8.stage_times().padded_tokens, q.tokens as u64);

    let f16 = load(model::ModelDtype::F16);
    let h = f16.embed_uncached(&texts).unwrap();
    assert!(f16.stage_times().padded_tokens > h.tokens as u64);
    for (a, b) in out.vectors.iter().zip(&h.vectors) {
        assert!(vector::dot(a, b) >= 0.999);
    }
}
