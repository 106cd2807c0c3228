//! Test support: tiny random-weight BERT and XLM-R models built on the fly, and helpers to run the
//! binary.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde_json::json;

/// Words the tiny tokenizers know (lower-cased, whitespace pre-tokenised).
pub const WORDS: &[&str] = &[
    "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "in", "park", "water", "plant", "opens",
    "city", "museum", "river", "history", "new", "old", "big", "small", "red", "blue", "green",
    "house", "tree", "car", "road", "sun", "moon", "day", "night", "one", "two", "three", "four",
    "five", "six", "seven", "eight", "nine", "ten", ".", ",", "!", "?", "die", "katze", "der",
    "hund",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Arch {
    Bert,
    XlmRoberta,
}

/// Deterministic pseudo-random numbers in [-scale, scale].
fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) as f32 / (1u64 << 31) as f32 - 0.5) * 2.0 * scale
        })
        .collect()
}

pub struct TinySpec {
    pub arch: Arch,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ff: usize,
    /// Longest sequence the model accepts (special tokens included).
    pub max_tokens: usize,
}

impl Default for TinySpec {
    fn default() -> Self {
        Self {
            arch: Arch::Bert,
            hidden: 32,
            layers: 2,
            heads: 4,
            ff: 64,
            max_tokens: 24,
        }
    }
}

/// Special tokens (pad, unk, cls/bos, sep/eos) of each family, in id order.
fn specials(arch: Arch) -> [(&'static str, u32); 4] {
    match arch {
        Arch::Bert => [("[PAD]", 0), ("[UNK]", 1), ("[CLS]", 2), ("[SEP]", 3)],
        Arch::XlmRoberta => [("<s>", 0), ("<pad>", 1), ("</s>", 2), ("<unk>", 3)],
    }
}

fn tokenizer_json(arch: Arch) -> serde_json::Value {
    let sp = specials(arch);
    let mut vocab = serde_json::Map::new();
    for (t, id) in sp {
        vocab.insert(t.into(), json!(id));
    }
    for (i, w) in WORDS.iter().enumerate() {
        vocab.insert((*w).into(), json!(4 + i));
    }
    let (cls, sep, unk) = match arch {
        Arch::Bert => ("[CLS]", "[SEP]", "[UNK]"),
        Arch::XlmRoberta => ("<s>", "</s>", "<unk>"),
    };
    let id = |t: &str| {
        sp.iter()
            .find(|(s, _)| *s == t)
            .map(|(_, i)| *i)
            .unwrap_or(0)
    };
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": sp.iter().map(|(t, i)| json!({"id": i, "content": t, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true})).collect::<Vec<_>>(),
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": cls, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": sep, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": cls, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": sep, "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": sep, "type_id": 0}}],
            "special_tokens": {
                cls: {"id": cls, "ids": [id(cls)], "tokens": [cls]},
                sep: {"id": sep, "ids": [id(sep)], "tokens": [sep]}
            }
        },
        "decoder": null,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": unk}
    })
}

/// A temporary folder with a tiny default model in its `model/` subfolder: what the command-line
/// tests start from.
pub fn tiny_workspace(seed: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny_model(&dir.path().join("model"), &TinySpec::default(), seed);
    (dir, model)
}

/// Writes a tiny random model directory (config.json, tokenizer.json, model.safetensors).
pub fn tiny_model(dir: &Path, spec: &TinySpec, seed: u64) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let h = spec.hidden;
    let vocab = 4 + WORDS.len();
    let (model_type, pad, positions, type_vocab) = match spec.arch {
        Arch::Bert => ("bert", 0, spec.max_tokens, 2),
        Arch::XlmRoberta => ("xlm-roberta", 1, spec.max_tokens + 2, 1),
    };
    let config = json!({
        "architectures": [if spec.arch == Arch::Bert { "BertModel" } else { "XLMRobertaModel" }],
        "model_type": model_type, "vocab_size": vocab, "hidden_size": h, "num_hidden_layers": spec.layers,
        "num_attention_heads": spec.heads, "intermediate_size": spec.ff, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "max_position_embeddings": positions,
        "type_vocab_size": type_vocab, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
        "pad_token_id": pad, "position_embedding_type": "absolute"
    });
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_vec_pretty(&config).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("tokenizer.json"),
        serde_json::to_vec(&tokenizer_json(spec.arch)).unwrap(),
    )
    .unwrap();
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    let mut k = seed;
    let mut put = |name: String, shape: Vec<usize>, scale: f32, offset: f32| {
        k += 1;
        let n = shape.iter().product();
        let v: Vec<f32> = values(n, k, scale)
            .into_iter()
            .map(|x| x + offset)
            .collect();
        tensors.insert(name, Tensor::from_vec(v, shape, &Device::Cpu).unwrap());
    };
    put(
        "embeddings.word_embeddings.weight".into(),
        vec![vocab, h],
        1.0,
        0.0,
    );
    put(
        "embeddings.position_embeddings.weight".into(),
        vec![positions, h],
        1.0,
        0.0,
    );
    put(
        "embeddings.token_type_embeddings.weight".into(),
        vec![type_vocab, h],
        0.5,
        0.0,
    );
    put("embeddings.LayerNorm.weight".into(), vec![h], 0.1, 1.0);
    put("embeddings.LayerNorm.bias".into(), vec![h], 0.1, 0.0);
    for l in 0..spec.layers {
        let p = format!("encoder.layer.{l}");
        for (name, out, inp) in [
            ("attention.self.query", h, h),
            ("attention.self.key", h, h),
            ("attention.self.value", h, h),
            ("attention.output.dense", h, h),
            ("intermediate.dense", spec.ff, h),
            ("output.dense", h, spec.ff),
        ] {
            put(format!("{p}.{name}.weight"), vec![out, inp], 0.3, 0.0);
            put(format!("{p}.{name}.bias"), vec![out], 0.1, 0.0);
        }
        for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
            put(format!("{p}.{name}.weight"), vec![h], 0.1, 1.0);
            put(format!("{p}.{name}.bias"), vec![h], 0.1, 0.0);
        }
    }
    candle_core::safetensors::save(&tensors, dir.join("model.safetensors")).unwrap();
    dir.to_path_buf()
}

/// Adds sentence-transformers files for CLS pooling followed by a tanh Dense layer (LaBSE's shape).
pub fn add_cls_dense(dir: &Path, hidden: usize, out: usize) {
    std::fs::write(
        dir.join("modules.json"),
        r#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
            {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
            {"idx":2,"name":"2","path":"2_Dense","type":"sentence_transformers.models.Dense"},
            {"idx":3,"name":"3","path":"3_Normalize","type":"sentence_transformers.models.Normalize"}]"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        r#"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("2_Dense")).unwrap();
    std::fs::write(
        dir.join("2_Dense/config.json"),
        format!(r#"{{"in_features": {hidden}, "out_features": {out}, "bias": true, "activation_function": "torch.nn.modules.activation.Tanh"}}"#),
    )
    .unwrap();
    let mut t = HashMap::new();
    t.insert(
        "linear.weight".to_string(),
        Tensor::from_vec(values(out * hidden, 99, 0.3), (out, hidden), &Device::Cpu).unwrap(),
    );
    t.insert(
        "linear.bias".to_string(),
        Tensor::from_vec(values(out, 98, 0.1), out, &Device::Cpu).unwrap(),
    );
    candle_core::safetensors::save(&t, dir.join("2_Dense/model.safetensors")).unwrap();
}

/// Path of the built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mtcheck"))
}

/// Runs the binary with `args` and extra environment; returns (exit code, stdout, stderr).
/// `check` options of the tests that read an English → German JSON report whatever its verdict.
pub const JSON_EN_DE: &[&str] = &[
    "--format",
    "json",
    "--fail-on",
    "never",
    "--src-lang",
    "en",
    "--tgt-lang",
    "de",
];

/// Runs `mtcheck check ARGS… --model MODEL --format json`: the exit code, the parsed report
/// (`Null` when nothing was printed) and stderr.
pub fn check_json(args: &[&str], model: &Path) -> (i32, serde_json::Value, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend(["--model", model.to_str().unwrap(), "--format", "json"]);
    let (code, out, err) = run(&all, &[]);
    let report = if out.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
    };
    (code, report, err)
}

pub fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(bin());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running mtcheck");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    // Every report a test makes the binary write is held to the published schema: on standard
    // output, and in the files --output and --report name.
    validate_reports(&stdout);
    for (flag, value) in args.iter().zip(args.iter().skip(1)) {
        if matches!(*flag, "--output" | "-o" | "--report") {
            if let Ok(text) = std::fs::read_to_string(value) {
                validate_reports(&text);
            }
        }
    }
    (
        out.status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The real default model, fetched by `models/fetch` (CI runs it first).
pub fn real_model_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/multilingual-e5-small");
    assert!(
        dir.join("model.safetensors").is_file(),
        "the real-model tests need {}: run models/fetch first",
        dir.display()
    );
    dir
}

/// The JSON Schema of the report (docs/report.schema.json), compiled once.
fn report_validator() -> &'static jsonschema::Validator {
    static V: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
        let schema = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).expect("docs/report.schema.json compiles")
    })
}

/// Validates every report in `text` (one JSON report, or JSON lines of reports and batch
/// records) against the schema; returns how many it found. Values that are not reports (eval
/// tables, calibration files) are left alone.
pub fn validate_reports(text: &str) -> usize {
    let values: Vec<serde_json::Value> = match serde_json::from_str(text) {
        Ok(v) => vec![v],
        Err(_) => text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    };
    let mut n = 0;
    for v in values
        .iter()
        .filter(|v| v.get("findings").is_some() && v.get("alignments").is_some())
    {
        let errors: Vec<String> = report_validator()
            .iter_errors(v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "a report does not match docs/report.schema.json:\n{}",
            errors.join("\n")
        );
        n += 1;
    }
    n
}
