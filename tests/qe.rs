//! The learned quality estimate on the real default model: `eval` on labelled segment files,
//! `train-qe` on the features it writes, and `check` with the built-in, a trained, or refused
//! weights.

mod common;

use std::path::{Path, PathBuf};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qe/wmt21-ced-en-de-dev-sample.tsv")
}

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// AUC in `eval`'s table row for `file`.
fn auc(table: &str, file: &str) -> f64 {
    let row = table
        .lines()
        .find(|l| l.starts_with(file))
        .unwrap_or_else(|| panic!("no row for {file}: {table}"));
    row.split_whitespace().nth(4).unwrap().parse().unwrap()
}

/// `mtcheck eval` on the sample as en-de, with `extra` flags.
fn eval_sample(model: &Path, extra: &[&str]) -> (i32, String, String) {
    eval_file(model, &sample(), extra)
}

/// `mtcheck eval` on segment file `file` as en-de, with `extra` flags.
fn eval_file(model: &Path, file: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "eval",
        file.to_str().unwrap(),
        "--src-lang",
        "en",
        "--tgt-lang",
        "de",
        "--model",
        model.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    common::run(&args, &[])
}

#[test]
fn eval_on_a_labelled_segment_file_reports_auc_and_train_qe_fits_weights_check_then_uses() {
    let model = common::real_model_dir();
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features.tsv");
    let (code, out, err) = eval_sample(
        &model,
        &["--no-qe", "--features", features.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("similarity"), "{out}");
    let a = auc(&out, "wmt21-ced-en-de-dev-sample.tsv");
    assert!((0.0..=1.0).contains(&a), "{out}");
    let rows = std::fs::read_to_string(&features).unwrap();
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines.len(), 61, "a header and one row per segment");
    assert_eq!(
        lines[1..].iter().filter(|l| l.contains("\tBAD\t")).count(),
        20
    );
    for l in &lines[1..] {
        for v in l.split('\t').skip(4) {
            assert!(v.parse::<f64>().is_ok_and(f64::is_finite), "{l}");
        }
    }

    // Fit on the features (the same rows calibrate the thresholds: a smoke test of the
    // command, not a measurement).
    let weights = dir.path().join("qe.json");
    let (code, out, err) = common::run(
        &[
            "train-qe",
            "--train",
            features.to_str().unwrap(),
            "--dev",
            features.to_str().unwrap(),
            "-o",
            weights.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("roc_auc"), "{out}");
    let w: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&weights).unwrap()).unwrap();
    assert_eq!(w["encoder"]["id"], "intfloat/multilingual-e5-small");
    assert_eq!(w["encoder"]["dtype"], "f32");
    // Fitted on these rows, the estimate ranks them better than chance.
    let train_auc = w["provenance"]["dev"]["*"]["roc_auc"].as_f64().unwrap();
    assert!(train_auc > 0.6, "{w}");

    // `eval` with those weights measures the learned estimate.
    let (code, out, err) = eval_sample(&model, &["--qe", weights.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("learned"), "{out}");
    assert!(auc(&out, "wmt21-ced-en-de-dev-sample.tsv") > 0.6, "{out}");

    // Weights fitted on f32 features are not used with q8.
    let (_, report, err) = common::check_json(
        &[
            &example("news.ar.txt"),
            &example("news.en.txt"),
            "--qe",
            weights.to_str().unwrap(),
            "--dtype",
            "q8",
        ],
        &model,
    );
    assert_eq!(report["quality_estimate"]["method"], "off", "{err}");
    assert!(report["quality_estimate"]["summary"]
        .as_str()
        .unwrap()
        .contains("not used"));
    assert!(report["alignments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a.get("qe").is_none()));
}

#[test]
fn check_gives_every_aligned_link_the_built_in_estimate_and_no_qe_turns_it_off() {
    let model = common::real_model_dir();
    let (_, report, err) =
        common::check_json(&[&example("news.ar.txt"), &example("news.en.txt")], &model);
    assert_eq!(report["quality_estimate"]["method"], "learned", "{err}");
    for a in report["alignments"].as_array().unwrap() {
        let both = !a["source"].as_array().unwrap().is_empty()
            && !a["target"].as_array().unwrap().is_empty();
        match a.get("qe").and_then(|q| q.as_f64()) {
            Some(q) => assert!(both && (0.0..=1.0).contains(&q), "{a}"),
            None => assert!(!both, "an aligned link without an estimate: {a}"),
        }
    }
    let (_, off, _) = common::check_json(
        &[&example("news.ar.txt"), &example("news.en.txt"), "--no-qe"],
        &model,
    );
    assert_eq!(off["quality_estimate"]["method"], "off");
    assert!(off["alignments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a.get("qe").is_none()));
}

#[test]
fn a_broken_weights_file_is_an_input_error_naming_it() {
    let model = common::real_model_dir();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken-qe.json");
    std::fs::write(&bad, "{\"format_version\": 1}").unwrap();
    let (code, _, err) = common::run(
        &[
            "check",
            &example("news.ar.txt"),
            &example("news.en.txt"),
            "--qe",
            bad.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken-qe.json"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn the_estimate_reuses_the_embedding_pass_and_changes_no_similarity_or_word_alignment() {
    let model = common::real_model_dir();
    let (ar, en) = (example("news.ar.txt"), example("news.en.txt"));
    let (_, on, _) = common::check_json(&[&ar, &en, "--details"], &model);
    let (_, off, _) = common::check_json(&[&ar, &en, "--details", "--no-qe"], &model);
    let links = |r: &serde_json::Value| {
        r["alignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["source"].clone(),
                    a["target"].clone(),
                    a["similarity"].clone(),
                    a["words"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(links(&on), links(&off));
    assert_eq!(on["quality_estimate"]["method"], "learned");
    assert_eq!(off["quality_estimate"]["method"], "off");
}

#[test]
fn eval_takes_score_labels_with_bad_below_and_reports_their_correlation() {
    // Issue 16: a segment file's gold label may be "OK/BAD, or a score". The sample again, its
    // labels written as direct-assessment-like scores (OK 0.75, BAD -0.75).
    let model = common::real_model_dir();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample()).unwrap();
    let mut lines = text.lines();
    let mut scored = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let (row, label) = line.rsplit_once('\t').unwrap();
        let score = if label.trim() == "BAD" {
            "-0.75"
        } else {
            "0.75"
        };
        scored += &format!("{row}\t{score}\n");
    }
    let file = dir.path().join("scored.tsv");
    std::fs::write(&file, scored).unwrap();
    let run = |extra: &[&str]| eval_file(&model, &file, extra);
    let (code, _, err) = run(&[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("scored.tsv") && err.contains("--bad-below"),
        "{err}"
    );
    let (code, out, err) = run(&["--bad-below", "0"]);
    assert_eq!(code, 0, "{err}");
    let (code, binary, err) = eval_sample(&model, &[]);
    assert_eq!(code, 0, "{err}");
    // Scores under 0 are the BAD labels: the same AUC as the OK/BAD file.
    assert_eq!(
        auc(&out, "scored.tsv"),
        auc(&binary, "wmt21-ced-en-de-dev-sample.tsv"),
        "{out}\n{binary}"
    );
    let line = out
        .lines()
        .find(|l| l.contains("against the gold score"))
        .unwrap_or_else(|| panic!("no correlation line: {out}"));
    assert!(
        line.contains("Pearson 0.") || line.contains("Pearson -0."),
        "{line}"
    );
}

#[test]
fn bench_reports_the_estimates_throughput_apart_from_embedding() {
    let model = common::real_model_dir();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    let lines: Vec<String> = std::fs::read_to_string(example("news.en.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let (code, out, err) = common::run(
        &[
            "bench",
            "--model",
            model.to_str().unwrap(),
            "--file",
            corpus.to_str().unwrap(),
            "--runs",
            "1",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let q = &report["quality_estimate"];
    assert_eq!(q["weights"], "learned", "{q}");
    assert_eq!(
        q["links"].as_u64().unwrap() as usize,
        lines.len() / 2,
        "{q}"
    );
    assert!(q["align_s"].as_f64().unwrap() > 0.0, "{q}");
    assert!(q["links_per_s"].as_f64().unwrap() > 0.0, "{q}");
    assert_eq!(q["nonfinite"], 0, "{q}");
}
