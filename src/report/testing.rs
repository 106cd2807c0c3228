//! Hand-built reports shared by the renderers' unit tests (no model needed).

use serde_json::json;

use super::{
    Alignment, Counts, Device, DocumentInfo, ModelUsed, ReferenceUsed, Report, SentenceOut,
    SentenceSettingsUsed, Timing, REPORT_VERSION,
};
use crate::finding::{Finding, Kind, Severity, Span, Verdict};

fn sentences(texts: &[(&str, usize)]) -> Vec<SentenceOut> {
    let mut start = 0;
    texts
        .iter()
        .map(|&(text, line)| {
            let s = SentenceOut {
                text: text.to_string(),
                line,
                start,
                end: start + text.len(),
                windowed: false,
                location: None,
                region: None,
                original: None,
            };
            start = s.end + 1;
            s
        })
        .collect()
}

fn link(source: &[usize], target: &[usize], similarity: Option<f64>, score: f64) -> Alignment {
    Alignment {
        source: source.to_vec(),
        target: target.to_vec(),
        similarity,
        score,
        z: similarity.map(|s| (s - 0.5) * 10.0),
        parts: Vec::new(),
        words: None,
        qe: None,
        qe_features: None,
    }
}

fn finding(
    r: &Report,
    kind: Kind,
    severity: Severity,
    source: &[usize],
    target: &[usize],
    message: &str,
) -> Finding {
    let join = |v: &[usize], s: &[SentenceOut]| {
        v.iter()
            .filter_map(|&i| s.get(i).map(|s| s.text.as_str()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let line = |v: &[usize], s: &[SentenceOut]| v.first().and_then(|&i| s.get(i)).map(|s| s.line);
    Finding {
        kind,
        severity,
        source: source.to_vec(),
        target: target.to_vec(),
        source_text: join(source, &r.source_sentences),
        target_text: join(target, &r.target_sentences),
        source_line: line(source, &r.source_sentences),
        target_line: line(target, &r.target_sentences),
        message: message.to_string(),
        evidence: json!({"similarity": 0.42}),
        source_spans: Vec::new(),
        target_spans: Vec::new(),
    }
}

/// An English → German pair with markup-hostile text (`<script>`, `&`, quotes, pipes, backticks)
/// and three findings: a number mismatch (error, lines 1/1), an omission (error, source line 3)
/// and an addition (warning, target line 4).
pub(crate) fn sample_report() -> Report {
    let source_sentences = sentences(&[
        ("The price is 20 € <script>alert(1)</script> & more.", 1),
        ("Press `Ctrl|C` to \"stop\".", 2),
        ("This sentence was dropped.", 3),
        ("Thanks for reading.", 5),
    ]);
    let target_sentences = sentences(&[
        (
            "Der Preis beträgt 25 € <script>alert(1)</script> & mehr.",
            1,
        ),
        ("Drücken Sie `Strg|C`, um \"anzuhalten\".", 2),
        ("Danke fürs Lesen.", 3),
        ("Ein zusätzlicher Satz.", 4),
    ]);
    let mut r = Report {
        version: REPORT_VERSION,
        source: DocumentInfo {
            path: "docs/en/guide.txt".into(),
            lang: "en".into(),
            lang_detected: false,
            sentences: source_sentences.len(),
        },
        target: DocumentInfo {
            path: "docs/de/guide.txt".into(),
            lang: "de".into(),
            lang_detected: true,
            sentences: target_sentences.len(),
        },
        model: ModelUsed {
            id: "intfloat/multilingual-e5-small".into(),
            device: Device::Cpu,
            dtype: "f32".into(),
            architecture: "bert".into(),
            settings: SentenceSettingsUsed {
                pooling: "mean".into(),
                dense: None,
                normalize: true,
                prefix: "passage: ".into(),
                origin: "known-model table".into(),
            },
        },
        calibration: ReferenceUsed {
            method: "document-relative".into(),
            summary: "document-relative: no reference distribution for model \
                      intfloat/multilingual-e5-small"
                .into(),
            origin: None,
            language_pair: None,
            language_pair_measured: false,
        },
        quality_estimate: Default::default(),
        score: 61.4,
        verdict: Verdict::Fail,
        counts: Counts::default(),
        alignments: vec![
            link(&[0], &[0], Some(0.91), 88.0),
            link(&[1], &[1], Some(0.87), 84.5),
            link(&[2], &[], None, 0.0),
            link(&[3], &[2], Some(0.93), 90.0),
            link(&[], &[3], None, 0.0),
        ],
        findings: Vec::new(),
        source_sentences,
        target_sentences,
        timing: Timing {
            load_s: 0.5,
            embed_s: 1.25,
            checks_s: 0.125,
            total_s: 2.0,
        },
    };
    r.findings = vec![
        finding(
            &r,
            Kind::NumberMismatch,
            Severity::Error,
            &[0],
            &[0],
            "number \"20\" in the source is \"25\" in the target <changed> & wrong",
        ),
        finding(
            &r,
            Kind::Omission,
            Severity::Error,
            &[2],
            &[],
            "source sentence 3 has no counterpart in the target",
        ),
        finding(
            &r,
            Kind::Addition,
            Severity::Warning,
            &[],
            &[3],
            "target sentence 4 has no counterpart in the source",
        ),
    ];
    // The number finding points at the numbers: "20" (bytes 13-15) and "25" (bytes 19-21),
    // the target's at a known place in its file.
    r.findings[0].source_spans = vec![Span::in_sentence(0, 13..15, &r.source_sentences[0].text)];
    let mut t = Span::in_sentence(0, 19..21, &r.target_sentences[0].text);
    t.file_offset = Some(19);
    r.findings[0].target_spans = vec![t];
    r.counts = Report::count(&r.findings);
    r
}

/// A passing English → Arabic pair without findings, at an absolute path with a space and
/// non-ASCII characters (URI encoding, right-to-left text).
pub(crate) fn passing_rtl_report() -> Report {
    let mut r = sample_report();
    r.source.path = "/data/in put/guide.en.txt".into();
    r.target.path = "/data/in put/دليل.ar.txt".into();
    r.target.lang = "ar".into();
    r.target_sentences = sentences(&[
        ("السعر 20 يورو.", 1),
        ("اضغط Ctrl+C للإيقاف.", 2),
        ("هذه الجملة.", 3),
        ("شكرا للقراءة.", 4),
    ]);
    r.alignments = (0..4).map(|i| link(&[i], &[i], Some(0.9), 87.0)).collect();
    r.findings.clear();
    r.counts = Report::count(&r.findings);
    r.score = 87.0;
    r.verdict = Verdict::Pass;
    r
}
