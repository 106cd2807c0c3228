//! The `check` command on bad and unusual input: one-line errors with exit code 2, sensible
//! reports otherwise, and inputs never written to. Uses a tiny random model, so verdicts are not
//! meaningful here; the real model's verdicts are tested in real_model.rs.

mod common;

use std::path::{Path, PathBuf};

struct Fixture {
    dir: tempfile::TempDir,
    model: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let (dir, model) = common::tiny_workspace(11);
        Self { dir, model }
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn check(&self, src: &Path, tgt: &Path, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec![
            "check",
            src.to_str().unwrap(),
            tgt.to_str().unwrap(),
            "--model",
            self.model.to_str().unwrap(),
            "--color",
            "never",
        ];
        args.extend_from_slice(extra);
        common::run(&args, &[])
    }
    fn good(&self) -> PathBuf {
        self.file(
            "good.txt",
            b"The cat sat on the mat. The dog ran in the park.",
        )
    }
}

/// Exit 2, nothing on stdout, one line on stderr naming the file and containing `what`.
fn assert_input_error(r: (i32, String, String), file: &Path, what: &str) {
    let (code, out, err) = r;
    assert_eq!(code, 2, "stderr: {err}");
    assert!(out.is_empty(), "stdout: {out}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name) && err.contains(what), "{err}");
}

#[test]
fn missing_file() {
    let f = Fixture::new();
    let missing = f.dir.path().join("nope.txt");
    assert_input_error(f.check(&f.good(), &missing, &[]), &missing, "no such file");
}

#[test]
fn directory_instead_of_file() {
    let f = Fixture::new();
    let d = f.dir.path().join("adir");
    std::fs::create_dir(&d).unwrap();
    assert_input_error(f.check(&d, &f.good(), &[]), &d, "directory");
}

#[test]
fn empty_and_whitespace_only_files() {
    let f = Fixture::new();
    let e = f.file("empty.txt", b"");
    assert_input_error(f.check(&f.good(), &e, &[]), &e, "empty");
    let w = f.file("blank.txt", b"  \n\t\r\n ");
    assert_input_error(f.check(&f.good(), &w, &[]), &w, "empty");
}

#[test]
fn binary_file() {
    let f = Fixture::new();
    let b = f.file(
        "prog.bin",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00",
    );
    assert_input_error(f.check(&b, &f.good(), &[]), &b, "binary");
}

#[test]
fn invalid_utf8_names_line() {
    let f = Fixture::new();
    let b = f.file("latin1.txt", b"the cat.\nna\xefve dog.\n");
    assert_input_error(f.check(&f.good(), &b, &[]), &b, "line 2");
}

#[test]
fn utf16_with_bom_and_utf8_bom_are_read() {
    let f = Fixture::new();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "The cat sat on the mat. The dog ran in the park.".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let u16 = f.file("u16.txt", &bytes);
    let bom = f.file(
        "bom.txt",
        b"\xEF\xBB\xBFThe cat sat on the mat. The dog ran in the park.",
    );
    let (code, out, err) = f.check(&u16, &bom, common::JSON_EN_DE);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["source"]["sentences"], 2);
    assert_eq!(r["target"]["sentences"], 2);
    assert_eq!(r["source_sentences"][0]["text"], "The cat sat on the mat.");
}

#[test]
fn oversized_file_names_the_flag() {
    let f = Fixture::new();
    let big = f.dir.path().join("big.txt");
    // 50 MB, written sparse-free but cheap: one repeated line.
    let line = "the cat sat on the mat and the dog ran in the park .\n";
    let content = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    std::fs::write(&big, content).unwrap();
    assert_input_error(f.check(&big, &f.good(), &[]), &big, "--max-input-bytes");
}

#[test]
fn ten_thousand_word_sentence_is_windowed_and_reported() {
    let f = Fixture::new();
    let words: Vec<&str> = (0..10_000).map(|i| common::WORDS[i % 40]).collect();
    let long = f.file("long.txt", words.join(" ").as_bytes());
    let (code, out, err) = f.check(&long, &f.good(), common::JSON_EN_DE);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["source_sentences"][0]["windowed"], true);
    let kinds: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"long_sentence"), "{kinds:?}");
}

#[test]
fn same_language_on_both_sides_is_a_warning_not_a_crash() {
    let f = Fixture::new();
    let a = f.file(
        "a.txt",
        b"The museum opens a new exhibition about the history of the river on Saturday.",
    );
    let b = f.file(
        "b.txt",
        b"On Saturday the museum opens a new exhibition on the history of the river.",
    );
    let (code, out, err) = f.check(&a, &b, &["--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["source"]["lang"], "en");
    assert_eq!(r["source"]["lang_detected"], true);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "same_language" && f["severity"] == "warning"));
}

#[test]
fn model_directory_missing_a_file_names_it() {
    let f = Fixture::new();
    std::fs::remove_file(f.model.join("tokenizer.json")).unwrap();
    let (code, _, err) = f.check(&f.good(), &f.good(), &[]);
    assert_eq!(code, 2);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("tokenizer.json"), "{err}");
}

#[test]
fn corrupt_tokenizer_is_a_one_line_error() {
    let f = Fixture::new();
    std::fs::write(f.model.join("tokenizer.json"), b"{\"version\": ").unwrap();
    let (code, _, err) = f.check(&f.good(), &f.good(), &[]);
    assert_eq!(code, 2);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("tokenizer.json"), "{err}");
}

#[test]
fn output_over_an_input_is_refused_and_inputs_are_untouched() {
    let f = Fixture::new();
    let a = f.good();
    let b = f.file(
        "b.txt",
        b"Die katze sat on the mat. Der hund ran in the park.",
    );
    let before = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let (code, _, err) = f.check(&a, &b, &["--output", b.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--output"), "{err}");
    let out = f.dir.path().join("report.json");
    let (code, stdout, err) = f.check(
        &a,
        &b,
        &[
            "--output",
            out.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(r["version"], 1);
    assert_eq!(
        (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap()),
        before
    );
    // No temporary files left beside the report.
    let leftovers: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn disable_and_severity_flags_change_what_is_reported() {
    let f = Fixture::new();
    let a = f.file(
        "a.txt",
        b"The museum opens a new exhibition about the history of the river on Saturday.",
    );
    let b = f.file(
        "b.txt",
        b"On Saturday the museum opens a new exhibition on the history of the river.",
    );
    let kinds = |extra: &[&str]| {
        let mut args = vec!["--format", "json", "--fail-on", "never"];
        args.extend_from_slice(extra);
        let (code, out, err) = f.check(&a, &b, &args);
        assert_eq!(code, 0, "{err}");
        let r: serde_json::Value = serde_json::from_str(&out).unwrap();
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{}={}",
                    f["kind"].as_str().unwrap(),
                    f["severity"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(kinds(&[]).contains(&"same_language=warning".to_string()));
    assert!(
        kinds(&["--severity", "same_language=info"]).contains(&"same_language=info".to_string())
    );
    assert!(!kinds(&["--disable", "same-language"])
        .iter()
        .any(|k| k.starts_with("same_language")));
    let (code, _, err) = f.check(&a, &b, &["--disable", "spelling"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--disable") && err.contains("unknown finding kind"),
        "{err}"
    );
}

#[test]
fn too_many_sentences_are_refused_before_the_model_runs_naming_the_flag() {
    let f = Fixture::new();
    let many: String = (0..30)
        .map(|k| format!("Sentence number {k} is here. "))
        .collect();
    let a = f.file("many.txt", many.as_bytes());
    let (code, out, err) = f.check(&a, &f.good(), &["--max-sentences", "10"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("many.txt") && err.contains("--max-sentences"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn bad_language_code_is_a_usage_error() {
    let f = Fixture::new();
    let (code, _, err) = f.check(&f.good(), &f.good(), &["--src-lang", "english!"]);
    assert_eq!(code, 2);
    assert!(err.contains("--src-lang"), "{err}");
}

#[test]
fn json_report_matches_the_published_schema() {
    let f = Fixture::new();
    let b = f.file(
        "b.txt",
        b"Die katze sat on the mat. Der hund ran in the park. The sun.",
    );
    let (_, out, err) = f.check(
        &f.good(),
        &b,
        &["--format", "json", "--src-lang", "en", "--tgt-lang", "de"],
    );
    // The fields, their types and which are required come from docs/report.schema.json, which
    // the report types generate; common::run already held this report to it.
    assert_eq!(
        common::validate_reports(&out),
        1,
        "no report in: {out} {err}"
    );
    let r: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    for key in ["load_s", "embed_s", "total_s"] {
        assert!(r["timing"][key].as_f64().is_some());
    }
    // Every sentence of both sides appears in exactly one link.
    let mut src = vec![];
    let mut tgt = vec![];
    for l in r["alignments"].as_array().unwrap() {
        src.extend(
            l["source"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap()),
        );
        tgt.extend(
            l["target"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap()),
        );
    }
    assert_eq!(src, (0..2).collect::<Vec<_>>());
    assert_eq!(tgt, (0..3).collect::<Vec<_>>());
}

/// The kernel-forcing variables are for measuring fallbacks; a value that names no kernel is a
/// one-line usage error naming the variable, not a silent fallback.
#[test]
fn an_unknown_kernel_in_mtcheck_f32_or_q8_kernel_is_a_usage_error() {
    let fx = Fixture::new();
    let good = fx.good();
    for (var, dtype) in [("MTCHECK_F32_KERNEL", "f32"), ("MTCHECK_Q8_KERNEL", "q8")] {
        let (code, _, err) = common::run(
            &[
                "check",
                good.to_str().unwrap(),
                good.to_str().unwrap(),
                "--model",
                fx.model.to_str().unwrap(),
                "--dtype",
                dtype,
            ],
            &[(var, "sse9")],
        );
        assert_eq!(code, 2, "{var}: {err}");
        assert!(err.contains(var) && err.contains("sse9"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn text_report_is_findings_by_default_q_is_one_line_and_alignment_lists_every_pair() {
    let f = Fixture::new();
    let b = f.file(
        "b.txt",
        b"Die katze sat on the mat. Der hund ran in the park.",
    );
    let langs = ["--src-lang", "en", "--tgt-lang", "de", "--fail-on", "never"];
    let (_, quiet, _) = f.check(&f.good(), &b, &[&langs[..], &["-q"]].concat());
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    let (_, default, _) = f.check(&f.good(), &b, &langs);
    assert!(!default.contains("\nAlignment ("), "{default}");
    assert!(default.contains("--alignment shows them all"), "{default}");
    let (_, full, _) = f.check(&f.good(), &b, &[&langs[..], &["--alignment"]].concat());
    assert!(full.contains("\nAlignment ("), "{full}");
    let (code, _, err) = f.check(&f.good(), &b, &[&langs[..], &["-q", "-v"]].concat());
    assert_eq!(code, 2, "-q and -v conflict: {err}");
}
