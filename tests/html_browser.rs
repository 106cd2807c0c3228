//! The HTML report in a real browser: headless Chromium loads the page, runs its inline script,
//! and the dumped DOM must hold the findings and the element only the script creates.
//!
//! Needs `chromium` on PATH (Debian: `apt-get install -y chromium`), so it is ignored by a plain
//! `cargo test`: `.ci/run` installs Chromium and runs it with
//! `cargo test --release --test html_browser -- --ignored`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use mtcheck::finding::{Finding, Kind, Severity, Verdict};
use mtcheck::model::{Architecture, ModelInfo, Pooling, SentenceSettings};
use mtcheck::pipeline::check::{model_used, reference_used};
use mtcheck::report::{self, Alignment, Counts, DocumentInfo, Format, Report, SentenceOut, Timing};

fn sentence(text: &str, line: usize) -> SentenceOut {
    SentenceOut {
        text: text.to_string(),
        line,
        start: 0,
        end: text.len(),
        windowed: false,
        location: None,
        region: None,
        original: None,
    }
}

fn link(source: &[usize], target: &[usize], score: f64) -> Alignment {
    Alignment {
        source: source.to_vec(),
        target: target.to_vec(),
        similarity: (!source.is_empty() && !target.is_empty()).then_some(0.9),
        score,
        z: None,
        parts: Vec::new(),
        words: None,
        qe: None,
        qe_features: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    kind: Kind,
    severity: Severity,
    source: &[usize],
    target: &[usize],
    source_text: &str,
    target_text: &str,
    lines: (Option<usize>, Option<usize>),
    message: &str,
) -> Finding {
    Finding {
        kind,
        severity,
        source: source.to_vec(),
        target: target.to_vec(),
        source_text: source_text.into(),
        target_text: target_text.into(),
        source_line: lines.0,
        target_line: lines.1,
        message: message.into(),
        evidence: serde_json::json!({}),
        source_spans: Vec::new(),
        target_spans: Vec::new(),
    }
}

/// An English → Hebrew pair with an omission, an addition and a number mismatch, and a sentence
/// that would run a script if it were not escaped.
fn report() -> Report {
    let src = vec![
        sentence(
            "Total: 20 items <script>document.title='pwned'</script>.",
            1,
        ),
        sentence("This one is dropped.", 2),
        sentence("Goodbye.", 3),
    ];
    let tgt = vec![
        sentence(
            "סה\"כ: 25 פריטים <script>document.title='pwned'</script>.",
            1,
        ),
        sentence("להתראות.", 2),
        sentence("משפט נוסף.", 3),
    ];
    let findings = vec![
        finding(
            Kind::NumberMismatch,
            Severity::Error,
            &[0],
            &[0],
            &src[0].text,
            &tgt[0].text,
            (Some(1), Some(1)),
            "number 20 became 25",
        ),
        finding(
            Kind::Omission,
            Severity::Error,
            &[1],
            &[],
            &src[1].text,
            "",
            (Some(2), None),
            "source sentence 2 is missing from the target",
        ),
        finding(
            Kind::Addition,
            Severity::Warning,
            &[],
            &[2],
            "",
            &tgt[2].text,
            (None, Some(3)),
            "target sentence 3 has no source",
        ),
    ];
    Report {
        version: report::REPORT_VERSION,
        source: DocumentInfo {
            path: "en/page.txt".into(),
            lang: "en".into(),
            lang_detected: false,
            sentences: src.len(),
        },
        target: DocumentInfo {
            path: "he/page.txt".into(),
            lang: "he".into(),
            lang_detected: false,
            sentences: tgt.len(),
        },
        model: model_used(&ModelInfo {
            id: "test".into(),
            device: Default::default(),
            dtype: "f32".into(),
            architecture: Architecture::Bert,
            settings: SentenceSettings {
                pooling: Pooling::Mean,
                dense: None,
                normalize: true,
                prefix: String::new(),
                origin: "defaults".into(),
            },
        }),
        calibration: reference_used(None, "test", "en-he"),
        quality_estimate: Default::default(),
        score: 55.0,
        verdict: Verdict::Fail,
        counts: Counts {
            errors: 2,
            warnings: 1,
            infos: 0,
        },
        alignments: vec![
            link(&[0], &[0], 80.0),
            link(&[1], &[], 0.0),
            link(&[2], &[1], 90.0),
            link(&[], &[2], 0.0),
        ],
        findings,
        source_sentences: src,
        target_sentences: tgt,
        timing: Timing::default(),
    }
}

/// Runs headless Chromium on `page` and returns the DOM after scripts ran; kills it after 60 s.
fn dump_dom(browser: &Path, page: &Path, profile: &Path) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("chromium output");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !dom.is_empty(),
        "chromium printed no DOM (status {:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

fn find_browser() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs this with --ignored"]
fn html_report_renders_and_its_script_runs() {
    let browser = find_browser()
        .expect("chromium not found on PATH: install it (Debian: apt-get install -y chromium)");
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    let html = report::render(&report(), Format::Html, Default::default());
    std::fs::write(&page, html).expect("write page");
    let dom = dump_dom(&browser, &page, &dir.path().join("profile"));

    // Only the inline script creates #finding-count, from the findings in the DOM.
    assert!(
        dom.contains("<p id=\"finding-count\">3 findings shown: 2 errors, 1 warnings, 0 notes</p>"),
        "script did not run:\n{dom}"
    );
    assert!(dom.contains("class=\"js\""), "{dom}");
    for message in [
        "number 20 became 25",
        "source sentence 2 is missing from the target",
        "target sentence 3 has no source",
    ] {
        assert!(dom.contains(message), "{message} missing:\n{dom}");
    }
    assert!(dom.contains("data-kind=\"omission\" data-severity=\"error\""));
    // The sentences' markup stayed text: the title is ours, and the text shows escaped.
    assert!(
        dom.contains("<title>mtcheck report: 1 pair</title>"),
        "{dom}"
    );
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(dom.contains("dir=\"auto\" lang=\"he\""));
}
