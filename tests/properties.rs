//! Property tests (proptest): the aligner links every sentence exactly once and in order, sentence
//! spans account for every word of the input, scores stay within 0-100, and a report does not
//! depend on the run, the thread count or the token budget (tiny random model through the CLI).

mod common;

use std::ops::Range;
use std::path::{Path, PathBuf};

use mtcheck::align::{align, Link, Params};
use mtcheck::score::{document_score, ScoredLink, Thresholds};
use proptest::prelude::*;

/// Link scores from a matrix: the mean over the cells of the link (NaN and infinities included,
/// as a broken model could produce them).
fn matrix_score(m: &[Vec<f32>]) -> impl Fn(Range<usize>, Range<usize>) -> f32 + '_ {
    move |s, t| {
        let mut sum = 0.0;
        for i in s.clone() {
            for j in t.clone() {
                sum += m[i][j];
            }
        }
        sum / (s.len() * t.len()) as f32
    }
}

fn cell() -> impl Strategy<Value = f32> {
    prop_oneof![
        20 => -3.0f32..3.0,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
    ]
}

fn matrix() -> impl Strategy<Value = (usize, usize, Vec<Vec<f32>>)> {
    (0usize..40, 0usize..40).prop_flat_map(|(n, m)| {
        (
            Just(n),
            Just(m),
            prop::collection::vec(prop::collection::vec(cell(), m), n),
        )
    })
}

/// Every sentence in exactly one link, links in order, only the shapes the aligner allows.
fn assert_partition(links: &[Link], n: usize, m: usize) {
    let (mut i, mut j) = (0, 0);
    for l in links {
        assert_eq!((l.source.start, l.target.start), (i, j), "{links:?}");
        assert!(
            matches!(
                l.kind(),
                (1, 1) | (1, 0) | (0, 1) | (2, 1) | (1, 2) | (3, 1) | (1, 3)
            ),
            "{links:?}"
        );
        i = l.source.end;
        j = l.target.end;
    }
    assert_eq!((i, j), (n, m), "{links:?}");
}

/// Text made of words, numbers, punctuation, abbreviations, CJK and all kinds of whitespace.
fn prose() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("The"),
        Just("cat"),
        Just("sat"),
        Just("Dr."),
        Just("e.g."),
        Just("7."),
        Just("3.5"),
        Just("."),
        Just("!"),
        Just("?"),
        Just("…"),
        Just("\""),
        Just("»"),
        Just("«"),
        Just(")"),
        Just("***"),
        Just("—"),
        Just(" "),
        Just("  "),
        Just("\n"),
        Just("\n\n"),
        Just("\r\n"),
        Just("\t"),
        Just("\u{a0}"),
        Just("高等教育"),
        Just("。"),
        Just("مرحبا"),
        Just("؟"),
        Just("x"),
        Just("Ünïcödé"),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn alignment_links_every_sentence_once_and_in_order((n, m, cells) in matrix()) {
        let score = matrix_score(&cells);
        let links = align(n, m, &score, &Params::default());
        assert_partition(&links, n, m);
        // A narrow band must widen to the same kind of answer, never lose sentences.
        let narrow = Params { band: 1, ..Params::default() };
        assert_partition(&align(n, m, &score, &narrow), n, m);
    }

    #[test]
    fn sentence_spans_hold_every_word_once(text in prose(), lang in prop::sample::select(vec!["", "en", "de", "fr", "zh", "ar"])) {
        let sentences = mtcheck::text::split(&text, lang);
        let mut prev_end = 0;
        for s in &sentences {
            prop_assert!(prev_end <= s.start && s.start < s.end && s.end <= text.len());
            prop_assert_eq!(&s.text, &text[s.start..s.end].split_whitespace().collect::<Vec<_>>().join(" "));
            prev_end = s.end;
        }
        for (i, c) in text.char_indices() {
            if c.is_alphanumeric() {
                let inside = sentences.iter().filter(|s| s.start <= i && i < s.end).count();
                prop_assert_eq!(inside, 1, "{:?} at {} in {:?}", c, i, sentences);
            }
        }
    }

    #[test]
    fn scores_stay_within_0_and_100(z in prop_oneof![any::<f32>(), Just(f32::NAN), Just(f32::INFINITY), Just(f32::NEG_INFINITY)],
                                    zs in prop::collection::vec((any::<f32>(), 0usize..4, 0usize..4), 0..30)) {
        let c = Thresholds::default();
        let s = c.score(z);
        prop_assert!((0.0..=100.0).contains(&s), "score({}) = {}", z, s);
        let links: Vec<ScoredLink> = zs
            .iter()
            .scan((0, 0), |(i, j), &(z, a, b)| {
                let link = Link { source: *i..*i + a, target: *j..*j + b };
                *i += a;
                *j += b;
                Some(ScoredLink { link, similarity: 0.0, z, score: c.score(z), parts: Vec::new(), reference: None })
            })
            .collect();
        let d = document_score(&links);
        prop_assert!((0.0..=100.0).contains(&d), "document score {}", d);
    }
}

/// The JSON report without its timings (the only part allowed to change between runs).
fn report_without_timing(model: &Path, src: &Path, tgt: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "check",
        src.to_str().unwrap(),
        tgt.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--no-cache",
    ];
    args.extend_from_slice(common::JSON_EN_DE);
    args.extend_from_slice(extra);
    let (code, out, err) = common::run(&args, &[]);
    assert_eq!(code, 0, "{err}");
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_object_mut().unwrap().remove("timing");
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn reports_are_identical_across_runs_threads_and_token_budgets() {
    let dir = tempfile::tempdir().unwrap();
    let model = common::tiny_model(&dir.path().join("model"), &common::TinySpec::default(), 3);
    // Sentences of different lengths, so batches and their padding differ with the budget.
    let words = common::WORDS;
    let sentence = |k: usize, len: usize| -> String {
        let mut s: Vec<&str> = (0..len).map(|i| words[(k * 7 + i * 3) % 40]).collect();
        s.push(".");
        s.join(" ")
    };
    let src: Vec<String> = (0..30).map(|k| sentence(k, 2 + k % 15)).collect();
    let tgt: Vec<String> = (0..30)
        .filter(|k| k % 11 != 5)
        .map(|k| sentence(k + (k % 4 == 0) as usize, 2 + k % 15))
        .collect();
    let write = |name: &str, lines: &[String]| -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, lines.join("\n")).unwrap();
        p
    };
    let (s, t) = (write("src.txt", &src), write("tgt.txt", &tgt));
    let base = report_without_timing(&model, &s, &t, &["--threads", "1"]);
    assert_eq!(
        base,
        report_without_timing(&model, &s, &t, &["--threads", "1"]),
        "two runs differ"
    );
    assert_eq!(
        base,
        report_without_timing(&model, &s, &t, &["--threads", "2"]),
        "--threads 1 and 2 differ"
    );
    let small = report_without_timing(&model, &s, &t, &["--token-budget", "64"]);
    let large = report_without_timing(&model, &s, &t, &["--token-budget", "4096"]);
    assert_eq!(small, large, "--token-budget 64 and 4096 differ");
    assert_eq!(
        base, small,
        "thread count and budget together change the report"
    );
}
