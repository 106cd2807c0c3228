//! `mtcheck calibrate` and the use of reference files, with a tiny random model (unknown to the
//! known-model table, so without a built-in reference): the file's structure, where it is looked
//! up, what the report says, and one-line errors for bad files. The real model's reference is
//! tested in real_model.rs.

mod common;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// A sentence of known words, different for each `k`.
fn sentence(k: usize) -> String {
    let w = common::WORDS;
    let pick = |i: usize| w[i % 42];
    format!(
        "{} {} {} {} {} .",
        pick(k),
        pick(k * 7 + 3),
        pick(k * 3 + 11),
        pick(k * 5 + 17),
        pick(k * 11 + 29)
    )
}

/// A labelled set: `clean` pairs whose target repeats the source, and `broken` pairs whose
/// fourth target sentence is mostly replaced (a labelled mistranslation).
fn labelled_set(root: &Path, clean: usize, broken: usize) -> PathBuf {
    let set = root.join("set");
    for p in 0..clean + broken {
        let dir = set.join(format!("en-de-{p:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        let src: Vec<String> = (0..6).map(|k| sentence(p * 6 + k)).collect();
        let mut tgt = src.clone();
        let mut errors = Vec::new();
        if p >= clean {
            // Partly replaced: unrelated enough to score lower, close enough to stay aligned.
            let kept: Vec<&str> = src[3].split(' ').take(3).collect();
            tgt[3] = format!("{} ten ten .", kept.join(" "));
            errors.push(
                json!({"type": "mistranslation", "source_text": src[3], "target_text": tgt[3]}),
            );
        }
        std::fs::write(dir.join("source.txt"), src.join("\n")).unwrap();
        std::fs::write(dir.join("target.txt"), tgt.join("\n")).unwrap();
        let labels = json!({"src_lang": "en", "tgt_lang": "de", "errors": errors});
        std::fs::write(dir.join("labels.json"), labels.to_string()).unwrap();
    }
    set
}

struct Fixture {
    dir: tempfile::TempDir,
    model: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let (dir, model) = common::tiny_workspace(5);
        Self { dir, model }
    }

    fn calibrate(&self, set: &Path, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec![
            "calibrate",
            set.to_str().unwrap(),
            "--model",
            self.model.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        common::run(&args, &[])
    }

    /// Calibrates on a small set and returns the file written.
    fn reference(&self) -> PathBuf {
        let set = labelled_set(self.dir.path(), 3, 12);
        let out = self.dir.path().join("ref.json");
        let (code, _, err) = self.calibrate(&set, &["--output", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        out
    }

    fn check_json(&self, extra: &[&str]) -> (i32, Value, String) {
        let src = self.dir.path().join("a.txt");
        let tgt = self.dir.path().join("b.txt");
        std::fs::write(&src, "the cat sat on the mat. a dog ran in the park.").unwrap();
        std::fs::write(&tgt, "die katze sat on the mat. der hund ran in the park.").unwrap();
        let mut args = vec![
            "check",
            src.to_str().unwrap(),
            tgt.to_str().unwrap(),
            "--model",
            self.model.to_str().unwrap(),
            "--format",
            "json",
            "--src-lang",
            "en",
            "--tgt-lang",
            "de",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = common::run(&args, &[]);
        let report = serde_json::from_str(&out).unwrap_or(Value::Null);
        (code, report, err)
    }
}

fn non_decreasing(v: &Value) -> bool {
    let xs: Vec<f64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    xs.windows(2).all(|w| w[0] <= w[1])
}

#[test]
fn calibrate_writes_a_reference_with_its_provenance_and_monotone_quantiles() {
    let f = Fixture::new();
    let set = labelled_set(f.dir.path(), 3, 12);
    let out = f.dir.path().join("ref.json");
    let (code, stdout, err) = f.calibrate(
        &set,
        &["--output", out.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let file = std::fs::read_to_string(&out).unwrap();
    assert_eq!(stdout, file, "--format json prints what it writes");
    let r: Value = serde_json::from_str(&file).unwrap();
    assert_eq!(r["format"], 1);
    assert_eq!(r["model"]["id"], f.model.to_str().unwrap());
    assert_eq!(r["model"]["dimensions"], 32);
    let p = &r["provenance"];
    assert_eq!(p["set"], "set");
    assert_eq!(p["pairs"], 15);
    assert_eq!(p["mtcheck_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["set_hash"].as_str().unwrap().len(), 16);
    let probs = r["probabilities"].as_array().unwrap();
    assert!(
        non_decreasing(&r["probabilities"]) && probs[0] == 0.0 && probs[probs.len() - 1] == 1.0
    );
    for d in ["clean", "error", "nearest_other"] {
        for q in ["cosine", "z"] {
            assert_eq!(r[d][q].as_array().unwrap().len(), probs.len(), "{d}.{q}");
            assert!(non_decreasing(&r[d][q]), "{d}.{q}: {}", r[d][q]);
        }
    }
    // Every link of the set is one of the two classes; the injected ones are the twelve replaced
    // sentences the aligner linked (it leaves some unaligned).
    let (clean, error) = (
        r["clean"]["links"].as_u64().unwrap(),
        r["error"]["links"].as_u64().unwrap(),
    );
    assert!((5..=12).contains(&error), "{error}");
    assert_eq!(clean + error, p["links"].as_u64().unwrap());
    // Identical sentences are the clean links' median; the replaced ones are lower.
    assert!(r["clean"]["cosine"][7].as_f64().unwrap() > r["error"]["cosine"][7].as_f64().unwrap());
    // Text: a summary table, and the same file content (the set has not changed).
    let (code, text, err) = f.calibrate(&set, &["--output", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("clean") && text.contains("nearest") && text.contains("15 pairs"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        file,
        "deterministic"
    );
}

#[test]
fn calibrate_refuses_a_set_without_mistranslations() {
    let f = Fixture::new();
    let set = labelled_set(f.dir.path(), 3, 0);
    let (code, out, err) = f.calibrate(&set, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("set") && err.contains("too few mistranslation links"),
        "{err}"
    );
}

#[test]
fn an_unknown_model_falls_back_to_the_document_relative_method_and_says_so() {
    let f = Fixture::new();
    let (_, report, err) = f.check_json(&[]);
    let c = &report["calibration"];
    assert_eq!(c["method"], "document-relative", "{err}");
    let expected = format!(
        "document-relative: no reference distribution for model {}",
        f.model.display()
    );
    assert_eq!(c["summary"], expected.as_str());
    assert!(c.get("origin").is_none());
    // The text report says the same.
    let src = f.dir.path().join("a.txt");
    let tgt = f.dir.path().join("b.txt");
    let (_, text, _) = common::run(
        &[
            "check",
            src.to_str().unwrap(),
            tgt.to_str().unwrap(),
            "--model",
            f.model.to_str().unwrap(),
            "--color",
            "never",
        ],
        &[],
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn a_calibration_file_given_or_in_the_model_directory_is_used_and_reported() {
    let f = Fixture::new();
    let file = f.reference();
    let links: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let summary = format!(
        "reference: {}, {} links",
        f.model.display(),
        links["provenance"]["links"]
    );
    let (_, report, err) = f.check_json(&["--calibration", file.to_str().unwrap()]);
    let c = &report["calibration"];
    assert_eq!(c["method"], "reference", "{err}");
    assert_eq!(c["summary"], summary.as_str());
    assert_eq!(c["origin"], file.to_str().unwrap());
    assert_eq!(c["language_pair"], "en-de");
    // Beside the model it is found without a flag.
    let beside = f.model.join("mtcheck-calibration.json");
    std::fs::copy(&file, &beside).unwrap();
    let (_, report, err) = f.check_json(&[]);
    assert_eq!(report["calibration"]["method"], "reference", "{err}");
    assert_eq!(report["calibration"]["origin"], beside.to_str().unwrap());
}

fn assert_one_line_error(r: (i32, Value, String), file: &Path) {
    let (code, report, err) = r;
    assert_eq!(code, 2, "{err}");
    assert!(report.is_null());
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains(file.to_str().unwrap()) && err.contains("not a calibration file"),
        "{err}"
    );
}

#[test]
fn a_corrupt_calibration_file_is_a_one_line_error_naming_it() {
    let f = Fixture::new();
    let bad = f.dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": 1, \"model\": ").unwrap();
    assert_one_line_error(
        f.check_json(&["--calibration", bad.to_str().unwrap()]),
        &bad,
    );
    // Well-formed JSON with quantiles out of order is refused too.
    let good = f.reference();
    let mut r: Value = serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
    r["clean"]["cosine"][3] = json!(5.0);
    std::fs::write(&bad, r.to_string()).unwrap();
    assert_one_line_error(
        f.check_json(&["--calibration", bad.to_str().unwrap()]),
        &bad,
    );
    // The same file beside the model breaks loading the model, naming it.
    let beside = f.model.join("mtcheck-calibration.json");
    std::fs::copy(&bad, &beside).unwrap();
    assert_one_line_error(f.check_json(&[]), &beside);
}
