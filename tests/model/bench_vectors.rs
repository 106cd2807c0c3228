//! `mtcheck bench --dtype`, `--dump-embeddings` and `--reference-embeddings`: the pieces that
//! scripts/gpu-check.sh uses to compare CUDA (or f16/bf16) vectors with CPU f32 ones. Runs on CPU
//! with a tiny random model.

use crate::common;

use std::path::{Path, PathBuf};

struct Fixture {
    dir: tempfile::TempDir,
    model: PathBuf,
    corpus: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let (dir, model) = common::tiny_workspace(7);
        let corpus = dir.path().join("corpus.txt");
        std::fs::write(
            &corpus,
            "the cat sat on the mat .\na dog ran in the park !\n\nthe old river , the new city .\ndie katze\nseven big red trees on the road\n",
        )
        .unwrap();
        Self { dir, model, corpus }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn bench(&self, extra: &[&str]) -> (i32, serde_json::Value, String) {
        let mut args = vec![
            "bench",
            "--model",
            self.model.to_str().unwrap(),
            "--file",
            self.corpus.to_str().unwrap(),
            "--runs",
            "1",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = common::run(&args, &[]);
        let json = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
        (code, json, err)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn reduced_precision_vectors_agree_with_a_dumped_f32_reference() {
    let f = Fixture::new();
    let reference = f.path("f32.bin");
    let (code, report, err) = f.bench(&["--dump-embeddings", s(&reference)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["dtype"], "f32");
    assert_eq!(report["nonfinite_values"], 0);
    // A random model has no quality-estimate weights: the estimate's stage says so and times
    // nothing.
    let q = &report["quality_estimate"];
    assert!(q["weights"].as_str().unwrap().starts_with("off"), "{q}");
    assert_eq!(q["links"], 0, "{q}");
    // The keys the issue names, and stage times that add up to no more than the pass.
    for key in [
        "sentences",
        "tokens",
        "load_s",
        "embed_s",
        "sentences_per_s",
        "tokens_per_s",
        "peak_rss_mb",
        "device",
        "dtype",
        "threads",
        "model",
    ] {
        assert!(!report[key].is_null(), "{key} missing: {report}");
    }
    // CPU f32 batches are packed without padding; f16 and bf16 ones are padded (below).
    let tokens = report["tokens"].as_u64().unwrap();
    assert_eq!(
        report["padded_tokens"].as_u64().unwrap(),
        tokens,
        "{report}"
    );
    let st = &report["stages"];
    let staged: f64 = ["tokenise_s", "forward_s", "pool_s"]
        .iter()
        .map(|k| st[k].as_f64().unwrap())
        .sum();
    assert!(st["forward_s"].as_f64().unwrap() > 0.0, "{st}");
    assert!(
        staged <= report["embed_s"].as_f64().unwrap() * 1.01,
        "{report}"
    );
    // Five non-empty lines, 32 f32 values each (the tiny model's hidden size).
    assert_eq!(std::fs::metadata(&reference).unwrap().len(), 5 * 32 * 4);

    let (code, report, err) = f.bench(&["--reference-embeddings", s(&reference)]);
    assert_eq!(code, 0, "{err}");
    assert!(report["agreement"]["min_cosine"].as_f64().unwrap() > 0.999_999);

    for (dtype, floor) in [("f16", 0.999), ("bf16", 0.99)] {
        let (code, report, err) = f.bench(&[
            "--dtype",
            dtype,
            "--reference-embeddings",
            s(&reference),
            "--min-cosine",
            &floor.to_string(),
        ]);
        assert_eq!(code, 0, "{dtype}: {err}");
        assert_eq!(report["dtype"], dtype);
        assert_eq!(report["nonfinite_values"], 0);
        assert_eq!(report["agreement"]["rows"], 5);
        assert!(
            report["padded_tokens"].as_u64().unwrap() > tokens,
            "{report}"
        );
        let min = report["agreement"]["min_cosine"].as_f64().unwrap();
        assert!(min >= floor && min < 1.000_001, "{dtype}: min cosine {min}");
    }
}

#[test]
fn a_failed_agreement_exits_1_and_a_mismatched_reference_exits_2() {
    let f = Fixture::new();
    let reference = f.path("f32.bin");
    let (code, _, err) = f.bench(&["--dump-embeddings", s(&reference)]);
    assert_eq!(code, 0, "{err}");

    // No vector can reach a cosine above 1: the check fails, and the report still comes out.
    let (code, report, _) = f.bench(&[
        "--dtype",
        "f16",
        "--reference-embeddings",
        s(&reference),
        "--min-cosine",
        "1.5",
    ]);
    assert_eq!(code, 1);
    assert!(report["agreement"]["min_cosine"].is_number());

    // A dump of other lines cannot be compared row by row.
    let (code, _, err) = f.bench(&["--lines", "2", "--reference-embeddings", s(&reference)]);
    assert_eq!(code, 2);
    assert!(err.contains("not 2 vectors of 32"), "{err}");

    let (code, _, err) = f.bench(&["--reference-embeddings", s(&f.path("absent.bin"))]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}
