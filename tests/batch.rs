//! `mtcheck batch` and `mtcheck check` on translation files, with a tiny random model: manifests,
//! shards, resuming, reports of many pairs, and segment-level findings. Verdicts are not
//! meaningful with a random model; the real model runs in real_model.rs.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

struct Fixture {
    dir: tempfile::TempDir,
    model: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let (dir, model) = common::tiny_workspace(5);
        Self { dir, model }
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn file(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
    /// A manifest of `n` English/German pairs.
    fn manifest(&self, n: usize) -> PathBuf {
        let mut lines = String::new();
        for k in 0..n {
            self.file(
                &format!("pairs/{k}.en.txt"),
                &format!("The council met on day {k}. It approved the budget. The vote was close."),
            );
            self.file(
                &format!("pairs/{k}.de.txt"),
                &format!(
                    "Der Rat tagte am Tag {k}. Er billigte den Haushalt. Die Abstimmung war knapp."
                ),
            );
            lines += &format!(
                "{{\"id\": \"p{k}\", \"source\": \"{k}.en.txt\", \"target\": \"{k}.de.txt\", \"src_lang\": \"en\", \"tgt_lang\": \"de\"}}\n"
            );
        }
        self.file("pairs/manifest.jsonl", &lines)
    }
    fn batch(&self, manifest: &Path, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec![
            "batch",
            manifest.to_str().unwrap(),
            "--model",
            self.model.to_str().unwrap(),
            "--fail-on",
            "never",
        ];
        args.extend_from_slice(extra);
        common::run(&args, &[])
    }
}

fn ids(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn batch_writes_one_record_per_pair_and_a_summary() {
    let f = Fixture::new();
    let m = f.manifest(6);
    let out = f.path("out.jsonl");
    let (code, stdout, err) = f.batch(&m, &["-o", out.to_str().unwrap(), "--jobs", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("6 pairs checked"), "{stdout}");
    let text = std::fs::read_to_string(&out).unwrap();
    let got: BTreeSet<String> = ids(&text).into_iter().collect();
    assert_eq!(got, (0..6).map(|k| format!("p{k}")).collect());
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert!(first["score"].as_f64().is_some() && first["findings"].is_array());
}

#[test]
fn shards_cover_every_pair_exactly_once() {
    let f = Fixture::new();
    let m = f.manifest(7);
    let mut all = Vec::new();
    for i in 0..3 {
        let out = f.path(&format!("shard{i}.jsonl"));
        let shard = format!("{i}/3");
        let (code, _, err) = f.batch(&m, &["-o", out.to_str().unwrap(), "--shard", &shard]);
        assert_eq!(code, 0, "{err}");
        all.extend(ids(&std::fs::read_to_string(&out).unwrap()));
    }
    all.sort();
    let want: Vec<String> = {
        let mut v: Vec<String> = (0..7).map(|k| format!("p{k}")).collect();
        v.sort();
        v
    };
    assert_eq!(all, want);
    let (code, _, err) = f.batch(&m, &["--shard", "3/3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--shard"), "{err}");
}

#[test]
fn resume_after_an_interruption_neither_redoes_nor_duplicates_pairs() {
    let f = Fixture::new();
    let m = f.manifest(4);
    let out = f.path("out.jsonl");
    let (code, _, err) = f.batch(&m, &["-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // Simulate a run killed after two pairs, in the middle of writing the third.
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut = format!("{}\n{}\n{}", lines[0], lines[1], &lines[2][..20]);
    std::fs::write(&out, cut).unwrap();
    let junit = f.path("junit.xml");
    let (code, stdout, err) = f.batch(
        &m,
        &[
            "-o",
            out.to_str().unwrap(),
            "--resume",
            "--report",
            junit.to_str().unwrap(),
            "--format",
            "junit",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // The report covers the pairs of the interrupted run too, read back from their lines.
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
    assert!(
        stdout.contains("4 pairs checked")
            && stdout.contains("(2 of them finished by the earlier run)"),
        "{stdout}"
    );
    let mut got = ids(&std::fs::read_to_string(&out).unwrap());
    got.sort();
    assert_eq!(got, ["p0", "p1", "p2", "p3"]);
}

#[test]
fn a_resumed_run_fails_on_a_pair_the_interrupted_run_failed() {
    // The exit code and the summary covered only the pairs checked after resuming, so a CI job
    // resumed after a failing pair passed.
    let f = Fixture::new();
    let m = f.manifest(2);
    let out = f.path("out.jsonl");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "batch",
            m.to_str().unwrap(),
            "--model",
            f.model.to_str().unwrap(),
            "--fail-on",
            "error",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        common::run(&args, &[])
    };
    run(&[]);
    // Both pairs finished before the run was stopped; only their recorded verdicts decide.
    let text = std::fs::read_to_string(&out).unwrap();
    let record = |line: &str, verdict: &str| {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["verdict"] = verdict.into();
        v.to_string()
    };
    let lines: Vec<&str> = text.lines().collect();
    for (second, want) in [("fail", 1), ("pass", 0)] {
        let rewritten = format!(
            "{}\n{}\n",
            record(lines[0], "pass"),
            record(lines[1], second)
        );
        std::fs::write(&out, rewritten).unwrap();
        let (code, stdout, err) = run(&["--resume"]);
        assert_eq!(code, want, "{stdout} {err}");
        assert!(
            stdout.contains("2 pairs checked")
                && stdout.contains("(2 of them finished by the earlier run)"),
            "{stdout}"
        );
        assert_eq!(stdout.contains("1 fail"), second == "fail", "{stdout}");
    }
}

#[test]
fn a_manifest_naming_a_missing_file_fails_before_loading_the_model() {
    let f = Fixture::new();
    let m = f.file(
        "m.jsonl",
        "{\"source\": \"nope.txt\", \"target\": \"nope.de.txt\"}\n",
    );
    let (code, out, err) = f.batch(&m, &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("m.jsonl: line 1") && err.contains("does not exist"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn an_unreadable_pair_is_recorded_and_the_others_are_checked() {
    let f = Fixture::new();
    f.manifest(2);
    f.file("pairs/bad.de.txt", "");
    let m = f.file(
        "pairs/m.jsonl",
        "{\"id\": \"ok\", \"source\": \"0.en.txt\", \"target\": \"0.de.txt\"}\n{\"id\": \"bad\", \"source\": \"1.en.txt\", \"target\": \"bad.de.txt\"}\n",
    );
    let out = f.path("out.jsonl");
    let (code, _, _) = f.batch(&m, &["-o", out.to_str().unwrap()]);
    assert_eq!(
        code, 2,
        "a pair that could not be read makes the run exit 2"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let bad = text.lines().find(|l| l.contains("\"bad\"")).unwrap();
    assert!(bad.contains("bad.de.txt") && bad.contains("empty"), "{bad}");
    assert!(text
        .lines()
        .any(|l| l.contains("\"ok\"") && l.contains("\"score\"")));
}

#[test]
fn batch_report_in_junit_has_one_testcase_per_pair() {
    let f = Fixture::new();
    let m = f.manifest(3);
    let junit = f.path("junit.xml");
    let (code, _, err) = f.batch(
        &m,
        &["--report", junit.to_str().unwrap(), "--format", "junit"],
    );
    assert_eq!(code, 0, "{err}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
}

const PO: &str = r#"msgid ""
msgstr ""
"Language: de\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: src/main.c:42
msgid "The forecast for the next 7 days is ready."
msgstr "Die Vorhersage für die nächsten 5 Tage ist fertig."

#: src/main.c:57
#, fuzzy
msgid "Could not download the radar map."
msgstr "Die Radarkarte konnte nicht geladen werden."

#: src/alerts.c:12
msgid "Stay indoors during the storm."
msgstr ""
"#;

#[test]
fn a_po_file_is_checked_per_entry_with_its_lines_and_states() {
    let f = Fixture::new();
    let po = f.file("de.po", PO);
    let (code, out, err) = common::run(
        &[
            "check",
            po.to_str().unwrap(),
            "--src-lang",
            "en",
            "--model",
            f.model.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert!(code == 0 || code == 1, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["target"]["lang"], "de");
    assert_eq!(
        r["source"]["sentences"], 2,
        "the untranslated entry is not a sentence"
    );
    let findings = r["findings"].as_array().unwrap();
    let find = |kind: &str, line: u64| {
        findings
            .iter()
            .find(|x| x["kind"] == kind && x["target_line"] == line)
            .unwrap_or_else(|| panic!("no {kind} at line {line}: {findings:?}"))
    };
    let number = find("number_mismatch", 7);
    assert_eq!(number["severity"], "error");
    // The entry's location leads the message, for renderings that show only message and line.
    assert!(
        number["message"]
            .as_str()
            .unwrap()
            .starts_with("msgid at line 7 (src/main.c:42)"),
        "{number}"
    );
    assert!(find("unfinished", 12)["message"]
        .as_str()
        .unwrap()
        .contains("fuzzy"));
    assert!(find("unfinished", 16)["message"]
        .as_str()
        .unwrap()
        .contains("no translation"));
    assert_eq!(
        r["target_sentences"][0]["location"]
            .as_str()
            .map(|s| s.contains("src/main.c:42")),
        Some(true)
    );
}

#[test]
fn a_malformed_xliff_is_a_one_line_error_naming_the_file_and_line() {
    let f = Fixture::new();
    let x = f.file(
        "bad.xlf",
        "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"de\">\n<body>\n<trans-unit id=\"1\"><source>Hello</source>\n",
    );
    let (code, out, err) = common::run(
        &[
            "check",
            x.to_str().unwrap(),
            "--model",
            f.model.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("bad.xlf"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn a_cached_recheck_gives_the_same_report_and_the_cache_can_be_cleared() {
    let f = Fixture::new();
    let m = f.manifest(1);
    let dir = m.parent().unwrap();
    let cache = f.path("cache/emb.sqlite");
    let check = || {
        let (code, out, err) = common::run(
            &[
                "check",
                dir.join("0.en.txt").to_str().unwrap(),
                dir.join("0.de.txt").to_str().unwrap(),
                "--model",
                f.model.to_str().unwrap(),
                "--cache",
                cache.to_str().unwrap(),
                "--format",
                "json",
            ],
            &[],
        );
        assert!(code < 2, "{err}");
        let mut r: serde_json::Value = serde_json::from_str(&out).unwrap();
        r.as_object_mut().unwrap().remove("timing");
        r
    };
    let first = check();
    assert!(cache.is_file());
    assert_eq!(check(), first);
    let (code, out, _) = common::run(&["cache", "stats", "--cache", cache.to_str().unwrap()], &[]);
    assert_eq!(code, 0);
    assert!(!out.contains(": 0 embeddings"), "{out}");
    let (code, out, _) = common::run(&["cache", "clear", "--cache", cache.to_str().unwrap()], &[]);
    assert_eq!(code, 0);
    assert!(
        out.contains("deleted") && !out.contains("deleted 0"),
        "{out}"
    );
}

fn srt(cues: &[(&str, &str)]) -> String {
    cues.iter()
        .enumerate()
        .map(|(k, (time, text))| format!("{}\n{time}\n{text}\n\n", k + 1))
        .collect()
}

#[test]
fn subtitles_with_the_same_timings_pair_cue_by_cue_and_retimed_ones_by_content() {
    let f = Fixture::new();
    let t = [
        "00:00:01,000 --> 00:00:03,500",
        "00:00:04,000 --> 00:00:06,000",
        "00:00:06,500 --> 00:00:09,000",
    ];
    let a = f.file(
        "a.srt",
        &srt(&[
            (t[0], "The storm reached the coast."),
            (t[1], "Around 3,000 homes lost power."),
            (t[2], "Schools stay closed."),
        ]),
    );
    let b = f.file(
        "b.srt",
        &srt(&[
            (t[0], "Der Sturm erreichte die Küste."),
            (t[1], "Rund 3.000 Haushalte ohne Strom."),
            (t[2], "Die Schulen bleiben zu."),
        ]),
    );
    let report = |tgt: &Path| {
        let (code, out, err) = common::run(
            &[
                "check",
                a.to_str().unwrap(),
                tgt.to_str().unwrap(),
                "--model",
                f.model.to_str().unwrap(),
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            &[],
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let r = report(&b);
    let links: Vec<(u64, u64)> = r["alignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["source"][0].as_u64().unwrap(),
                l["target"][0].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [(0, 0), (1, 1), (2, 2)],
        "same timings: cue k with cue k"
    );
    assert_eq!(r["target_sentences"][1]["location"], "cue 2");
    assert_eq!(
        r["target_sentences"][1]["line"], 5,
        "the line where cue 2 starts"
    );
    // Two cues merged into one with new timings: aligned by content, cues still located.
    let merged = f.file(
        "c.srt",
        &srt(&[
            (
                "00:00:01,000 --> 00:00:06,000",
                "Der Sturm erreichte die Küste. Rund 3.000 Haushalte ohne Strom.",
            ),
            (t[2], "Die Schulen bleiben zu."),
        ]),
    );
    let r = report(&merged);
    assert_eq!(r["target"]["sentences"], 2);
    assert_eq!(r["target_sentences"][1]["location"], "cue 2");
}

#[test]
fn eval_compares_several_models_side_by_side_in_one_table_and_plot() {
    let f = Fixture::new();
    let other = common::tiny_model(&f.path("model2"), &common::TinySpec::default(), 9);
    let set = format!("{}/devset/sample", env!("CARGO_MANIFEST_DIR"));
    let plot = f.path("scores.svg");
    let (code, out, err) = common::run(
        &[
            "eval",
            &set,
            "--filter",
            "en-de",
            "--model",
            f.model.to_str().unwrap(),
            "--model",
            other.to_str().unwrap(),
            "--plot",
            plot.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let table = out.split("\nmodel ").count() - 1;
    assert!(
        table >= 1 && out.contains("recall  FA/100 verdict"),
        "{out}"
    );
    let compare: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("model  "))
        .collect();
    assert_eq!(compare.len(), 3, "header and one row per model: {out}");
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert_eq!(
        svg.matches("clean links, ").count(),
        2,
        "one panel per model"
    );
    // check runs one model only, and says so.
    let (code, _, err) = common::run(
        &[
            "check",
            &format!("{set}/en-de-001/source.txt"),
            &format!("{set}/en-de-001/target.txt"),
            "--model",
            f.model.to_str().unwrap(),
            "--model",
            other.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--model given 2 times"), "{err}");
}

#[test]
fn batch_manifest_in_the_current_folder_is_read() {
    // `mtcheck batch manifest.jsonl` run in the manifest's own folder: its parent path is empty,
    // which once failed with "… cannot be resolved".
    let f = Fixture::new();
    let manifest = f.manifest(1);
    let out = std::process::Command::new(common::bin())
        .current_dir(manifest.parent().unwrap())
        .args(["batch", "manifest.jsonl", "--model"])
        .arg(&f.model)
        .args(["--fail-on", "never"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::validate_reports(&stdout), 1, "{stdout}");
}

#[test]
fn batch_root_admits_absolute_manifest_paths_inside_it() {
    let f = Fixture::new();
    f.manifest(1);
    let src = f.path("pairs/0.en.txt");
    let tgt = f.path("pairs/0.de.txt");
    let m = f.file(
        "lists/abs.jsonl",
        &format!(
            "{{\"source\": {:?}, \"target\": {:?}, \"src_lang\": \"en\", \"tgt_lang\": \"de\"}}\n",
            src.to_str().unwrap(),
            tgt.to_str().unwrap()
        ),
    );
    let (code, _, err) = f.batch(&m, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--root DIR"), "{err}");
    let root = f.path("pairs");
    let (code, out, err) = f.batch(&m, &["--root", root.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(common::validate_reports(&out), 1);
}

#[test]
fn batch_checks_translation_files_given_instead_of_a_manifest() {
    // `mtcheck batch locale/*.po`, as the pre-commit hook runs it.
    let f = Fixture::new();
    let po = |lang: &str| {
        f.file(
            &format!("locale/{lang}.po"),
            &format!(
                "msgid \"\"\nmsgstr \"Language: {lang}\\n\"\n\nmsgid \"The council met.\"\nmsgstr \"Der Rat tagte.\"\n\nmsgid \"It approved the budget.\"\nmsgstr \"Er billigte den Haushalt.\"\n"
            ),
        )
    };
    let (de, at) = (po("de"), po("de_AT"));
    let (code, out, err) = f.batch(&de, &[at.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(common::validate_reports(&out), 2, "{out}");
    assert!(out.contains("de_AT.po"), "the path is the id: {out}");
    // Anything but a translation file among them is a usage error naming it.
    let txt = f.file("notes.txt", "hello");
    let (code, _, err) = f.batch(&de, &[txt.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("notes.txt") && err.contains("not a translation file"),
        "{err}"
    );
}
