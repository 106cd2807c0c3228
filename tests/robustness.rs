//! Malformed and extreme input through the CLI (`mtcheck check`, `mtcheck batch`) with a tiny
//! random model: every case ends in a one-line error naming the file (exit 2) or a report (exit 0
//! or 1), never a panic, within a time bound. Cases already covered in cli.rs, batch.rs and the
//! format readers' unit tests (empty files, ELF binaries, UTF-16 LE with BOM, the 50 MB refusal,
//! the 10,000-word sentence, truncated XLIFF, …) are not repeated here.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Fixture {
    dir: tempfile::TempDir,
    model: PathBuf,
}

/// Generous: the slowest case here takes a few seconds; a hang or quadratic blow-up takes far more.
const BOUND: Duration = Duration::from_secs(120);

impl Fixture {
    fn new() -> Self {
        let (dir, model) = common::tiny_workspace(17);
        Self { dir, model }
    }
    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn good(&self) -> PathBuf {
        self.file(
            "good.txt",
            "The cat sat on the mat. The dog ran in the park.",
        )
    }
    /// Runs `mtcheck` with the tiny model; asserts no panic and the time bound.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--model", self.model.to_str().unwrap(), "--no-cache"]);
        let t = Instant::now();
        let r = common::run(&all, &[]);
        assert!(t.elapsed() < BOUND, "took {:?}: {args:?}", t.elapsed());
        assert!(
            !r.2.contains("panicked") && r.0 != 101,
            "panic on {args:?}: {}",
            r.2
        );
        r
    }
    /// `check` with JSON output and fixed languages (detection on a random model's input is moot).
    fn check(&self, files: &[&Path], extra: &[&str]) -> (i32, String, String) {
        let mut args = vec!["check"];
        args.extend(files.iter().map(|p| p.to_str().unwrap()));
        args.extend_from_slice(common::JSON_EN_DE);
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

/// Exit 2, nothing on stdout, one line on stderr naming the file and containing `what`.
fn assert_input_error(r: &(i32, String, String), file: &Path, what: &str) {
    let (code, out, err) = r;
    assert_eq!(*code, 2, "stderr: {err}");
    assert!(out.is_empty(), "stdout: {out}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name) && err.contains(what), "{err}");
}

fn report(r: &(i32, String, String)) -> serde_json::Value {
    assert_eq!(r.0, 0, "stderr: {}", r.2);
    serde_json::from_str(&r.1).unwrap()
}

fn sentence_texts(report: &serde_json::Value, side: &str) -> Vec<String> {
    report[side]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect()
}

fn utf16(text: &str, bom: bool, big_endian: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn nul_bytes_and_random_binary_are_one_line_errors() {
    let f = Fixture::new();
    let nul = f.file(
        "nul.txt",
        b"The cat sat on the mat.\0 The dog ran in the park.\n",
    );
    assert_input_error(&f.check(&[&f.good(), &nul], &[]), &nul, "NUL");
    // Pseudo-random bytes, with and without NULs.
    let mut s = 0x2545F4914F6CDD1Du64;
    let bytes: Vec<u8> = (0..65536)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect();
    let noise = f.file("noise.dat", &bytes);
    let r = f.check(&[&noise, &f.good()], &[]);
    assert_input_error(&r, &noise, "binary");
    let no_nul: Vec<u8> = bytes.iter().map(|&b| b.max(1)).collect();
    let noise = f.file("noise2.dat", &no_nul);
    let r = f.check(&[&noise, &f.good()], &[]);
    assert_input_error(&r, &noise, "UTF-8");
}

#[test]
fn utf16_big_endian_with_bom_is_read_and_without_bom_is_named() {
    let f = Fixture::new();
    let text = "The cat sat on the mat. The dog ran in the park.";
    let be = f.file("be.txt", utf16(text, true, true));
    let r = report(&f.check(&[&be, &f.good()], &[]));
    assert_eq!(sentence_texts(&r, "source_sentences").len(), 2);
    for (name, big_endian, flag) in [
        ("le.txt", false, "UTF-16LE"),
        ("be-nobom.txt", true, "UTF-16BE"),
    ] {
        let p = f.file(name, utf16(text, false, big_endian));
        let r = f.check(&[&f.good(), &p], &[]);
        assert_input_error(&r, &p, flag);
        assert!(r.2.contains("byte-order mark"), "{}", r.2);
    }
}

#[test]
fn latin1_and_windows_1252_bytes_name_the_encoding_problem() {
    let f = Fixture::new();
    let latin1 = f.file("latin1.txt", b"The cat sat.\nThe caf\xe9 is open.\n");
    let r = f.check(&[&latin1, &f.good()], &[]);
    assert_input_error(&r, &latin1, "line 2");
    assert!(r.2.contains("UTF-8"), "{}", r.2);
    let cp1252 = f.file("cp1252.txt", b"He said \x93yes\x94 \x96 twice.\n");
    let r = f.check(&[&cp1252, &f.good()], &[]);
    assert_input_error(&r, &cp1252, "WINDOWS-1252");
}

#[test]
fn cr_crlf_and_mixed_line_endings_give_the_same_sentences_as_lf() {
    let f = Fixture::new();
    // A headline (its own sentence), a paragraph of two sentences and another paragraph.
    let lf = "The big news\nThe cat sat on the mat. The dog ran in the park.\n\nThe sun is red.\nA new day\n";
    let lf_file = f.file("lf.txt", lf);
    let want = report(&f.check(&[&lf_file, &f.good()], &[]));
    let want_src = sentence_texts(&want, "source_sentences");
    assert_eq!(want_src.len(), 5, "{want_src:?}");
    let lines: Vec<usize> = want["source_sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["line"].as_u64().unwrap() as usize)
        .collect();
    let mixed: String = lf
        .split_inclusive('\n')
        .enumerate()
        // A CR right before an LF-ended line would read as CRLF, so LF comes before CR.
        .map(|(i, l)| match i % 3 {
            0 => l.replace('\n', "\r\n"),
            1 => l.to_string(),
            _ => l.replace('\n', "\r"),
        })
        .collect();
    for (name, text) in [
        ("crlf.txt", lf.replace('\n', "\r\n")),
        ("cr.txt", lf.replace('\n', "\r")),
        ("mixed.txt", mixed),
    ] {
        let p = f.file(name, &text);
        let got = report(&f.check(&[&p, &f.good()], &[]));
        assert_eq!(sentence_texts(&got, "source_sentences"), want_src, "{name}");
        let got_lines: Vec<usize> = got["source_sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["line"].as_u64().unwrap() as usize)
            .collect();
        assert_eq!(got_lines, lines, "{name}: line numbers");
    }
}

#[test]
fn two_hundred_thousand_one_word_lines_are_refused_by_the_sentence_limit_or_checked_with_it_raised()
{
    // Each line is a headline-like sentence of its own: 200,000 × the target's sentences would
    // fill memory (870 MB against a two-sentence target before --max-sentences existed).
    let f = Fixture::new();
    let text: String = (0..200_000)
        .map(|i| format!("{}\n", common::WORDS[i % 40]))
        .collect();
    let big = f.file("lines.txt", &text);
    assert_input_error(&f.check(&[&big, &f.good()], &[]), &big, "--max-sentences");
    let t = Instant::now();
    let r = f.check(&[&big, &f.good()], &["--max-sentences", "200000"]);
    let r = report(&r);
    assert_eq!(r["source"]["sentences"], 200_000);
    eprintln!("200,000 lines with the limit raised: {:?}", t.elapsed());
}

#[test]
fn a_source_of_separators_only_is_a_one_line_error() {
    // Such a side has no sentence to align; the aligner used to panic on an empty side facing
    // more sentences than its band (align::tests::empty_side_longer_than_the_band_does_not_panic).
    let f = Fixture::new();
    let seps = f.file("seps.txt", "***\n\n---\n\n* * *\n");
    let long: String = (0..60)
        .map(|k| format!("The cat sat on mat {k}.\n"))
        .collect();
    let long = f.file("long.txt", long);
    assert_input_error(&f.check(&[&seps, &long], &[]), &seps, "no sentences");
}

#[test]
fn swapped_and_identical_inputs_give_reports() {
    let f = Fixture::new();
    let a = f.file(
        "a.txt",
        "The cat sat on the mat. The dog ran in the park. The sun is red.",
    );
    let b = f.good();
    let ab = report(&f.check(&[&a, &b], &[]));
    let ba = report(&f.check(&[&b, &a], &[]));
    assert_eq!(ab["source"]["sentences"], ba["target"]["sentences"]);
    let same = report(&f.check(&[&a, &a], &[]));
    assert_eq!(same["source"]["sentences"], 3);
    // Identical text on both sides is flagged, not crashed on.
    let kinds: Vec<&str> = same["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["kind"].as_str())
        .collect();
    assert!(!kinds.is_empty(), "identical source and target: no finding");
}

/// The bilingual-file cases: each must be a one-line error naming the file and `what`.
#[test]
fn malformed_xliff_and_tmx_are_one_line_errors() {
    let f = Fixture::new();
    let secret = f.file("secret.txt", "TOP-SECRET-CONTENT-4711\n");
    let secret_url = format!("file://{}", secret.display());
    let laughs = {
        let mut d = String::from("<!DOCTYPE tmx [\n<!ENTITY a \"lol\">\n");
        let mut prev = "a".to_string();
        for i in 0..12 {
            d += &format!("<!ENTITY b{i} \"{}\">\n", format!("&{prev};").repeat(10));
            prev = format!("b{i}");
        }
        d + "]>\n"
    };
    let tmx_body = |seg: &str| {
        format!("<tmx version=\"1.4\"><header srclang=\"en\"/><body><tu><tuv xml:lang=\"en\"><seg>{seg}</seg></tuv><tuv xml:lang=\"de\"><seg>Hallo</seg></tuv></tu></body></tmx>\n")
    };
    let xlf_body = |src: &str| {
        format!("<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"de\"><body><trans-unit id=\"1\"><source>{src}</source><target>Hallo</target></trans-unit></body></file></xliff>\n")
    };
    let n = 100_000;
    let cases: Vec<(&str, String, &str)> = vec![
        ("truncated.tmx", tmx_body("Hello")[..120].to_string(), ""),
        ("mismatched.tmx", tmx_body("Hello</b>"), "line 1"),
        (
            "nested.tmx",
            tmx_body(&format!("{}x{}", "<bpt>".repeat(n), "</bpt>".repeat(n))),
            "nested",
        ),
        ("laughs.tmx", laughs.clone() + &tmx_body("&b11;"), "ENTITY"),
        (
            "xxe.tmx",
            format!("<!DOCTYPE tmx [<!ENTITY x SYSTEM \"{secret_url}\">]>\n") + &tmx_body("&x;"),
            "ENTITY",
        ),
        ("xxe-undeclared.tmx", tmx_body("&x;"), ""),
        (
            "laughs.xlf",
            laughs.replace("tmx", "xliff") + &xlf_body("&b11;"),
            "ENTITY",
        ),
        (
            "xxe.xlf",
            format!("<!DOCTYPE xliff [<!ENTITY x SYSTEM \"{secret_url}\">]>\n") + &xlf_body("&x;"),
            "ENTITY",
        ),
        (
            "nested.xlf",
            xlf_body(&format!(
                "{}x{}",
                "<g id=\"1\">".repeat(n),
                "</g>".repeat(n)
            )),
            "nested",
        ),
        (
            "garbage.xlf",
            "<xliff version=\"1.2\"><<<>>>".to_string(),
            "",
        ),
    ];
    for (name, text, what) in cases {
        let p = f.file(name, &text);
        let r = f.run(&["check", p.to_str().unwrap(), "--format", "json"]);
        assert_input_error(&r, &p, what);
        assert!(
            !r.1.contains("TOP-SECRET") && !r.2.contains("TOP-SECRET"),
            "{name}: the external entity's file was read"
        );
    }
}

#[test]
fn malformed_po_and_srt_are_one_line_errors() {
    let f = Fixture::new();
    let cases: Vec<(&str, &str, &str)> = vec![
        ("open.po", "msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"open\nmsgstr \"x\"\n", "line 4"),
        ("eof.po", "msgid \"a\"\nmsgstr \"b", "line 2"),
        ("nomsgstr.po", "msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"c\"\n", "msgstr"),
        (
            "plural.po",
            "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=0; plural=n;\\n\"\n\nmsgid \"a\"\nmsgstr \"b\"\n",
            "Plural-Forms",
        ),
        (
            "plural2.po",
            "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=99999999999999999999; plural=n;\\n\"\n\nmsgid \"a\"\nmsgstr \"b\"\n",
            "Plural-Forms",
        ),
    ];
    for (name, text, what) in cases {
        let p = f.file(name, text);
        let r = f.run(&["check", p.to_str().unwrap()]);
        assert_input_error(&r, &p, what);
    }
    let good = f.file(
        "good.srt",
        "1\n00:00:01,000 --> 00:00:02,000\nThe cat sat.\n",
    );
    for (name, text) in [
        (
            "bad1.srt",
            "1\n00:00:01,000 --> 00:00:0x,000\nThe cat sat.\n",
        ),
        (
            "bad2.srt",
            "1\n00:00:01,000 -> 00:00:02,000\nThe cat sat.\n",
        ),
        (
            "bad3.srt",
            "1\n99:99:99,999 --> 00:00:02,000\nThe cat sat.\n",
        ),
        (
            "bad4.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nThe cat sat.\n\n2\n00:00:0\n",
        ),
    ] {
        let p = f.file(name, text);
        let r = f.run(&["check", good.to_str().unwrap(), p.to_str().unwrap()]);
        // A report is acceptable only when the reader could make sense of it.
        if r.0 != 0 && r.0 != 1 {
            assert_input_error(&r, &p, "line");
        }
    }
}

#[test]
fn batch_manifests_naming_paths_outside_their_folder_are_refused() {
    let f = Fixture::new();
    f.file("outside.txt", "The cat sat.");
    f.file("m/in.txt", "The cat sat.");
    let outside = f.dir.path().join("outside.txt");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, f.dir.path().join("m/link.txt")).unwrap();
    let mut cases = vec![
        ("../outside.txt", "outside the manifest"),
        (outside.to_str().unwrap(), "outside the manifest"),
        ("missing.txt", "does not exist"),
    ];
    if cfg!(unix) {
        cases.push(("link.txt", "links outside"));
    }
    for (k, (path, what)) in cases.into_iter().enumerate() {
        let line = serde_json::json!({"source": "in.txt", "target": path}).to_string();
        let m = f.file(&format!("m/manifest{k}.jsonl"), line + "\n");
        let r = f.run(&["batch", m.to_str().unwrap()]);
        assert_input_error(&r, &m, what);
    }
}

/// Batch records by id, without timings.
fn records(path: &Path) -> BTreeMap<String, serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("timing");
            (o["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

#[test]
fn two_batch_processes_sharing_a_cache_match_one_without_cache() {
    let f = Fixture::new();
    let mut manifest = String::new();
    for k in 0..6 {
        f.file(
            &format!("p/{k}.en.txt"),
            format!("The cat sat on mat {k}. The dog ran in the park. The sun is red."),
        );
        f.file(
            &format!("p/{k}.de.txt"),
            format!("Die katze sat on mat {k}. Der hund ran. The moon is blue."),
        );
        manifest += &format!(
            "{{\"id\": \"p{k}\", \"source\": \"{k}.en.txt\", \"target\": \"{k}.de.txt\", \"src_lang\": \"en\", \"tgt_lang\": \"de\"}}\n"
        );
    }
    let m = f.file("p/manifest.jsonl", &manifest);
    let cache = f.dir.path().join("shared.sqlite");
    let out = |name: &str| f.dir.path().join(name);
    let model = f.model.to_str().unwrap().to_string();
    let spawn = |o: &Path| {
        std::process::Command::new(common::bin())
            .args([
                "batch",
                m.to_str().unwrap(),
                "--model",
                &model,
                "--fail-on",
                "never",
                "--cache",
                cache.to_str().unwrap(),
                "-o",
                o.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(&out("a.jsonl")), spawn(&out("b.jsonl")));
    for child in [a, b] {
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
    }
    let r = f.run(&[
        "batch",
        m.to_str().unwrap(),
        "--fail-on",
        "never",
        "-o",
        out("plain.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(r.0, 0, "{}", r.2);
    let plain = records(&out("plain.jsonl"));
    assert_eq!(plain.len(), 6);
    assert_eq!(records(&out("a.jsonl")), plain);
    assert_eq!(records(&out("b.jsonl")), plain);
}
