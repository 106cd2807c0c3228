//! JUnit XML rendering: one `mtcheck` suite, one test case per document pair (named by the target
//! path, classed by language pair), a `<failure>` listing the errors, other findings as output.

use std::fmt::Write;

use super::{anchor, Report};
use crate::finding::Verdict;
use crate::finding::{Finding, Severity};
use crate::util::escape::xml as escape;

/// Like `escape`, for element content: line breaks stay literal so the text reads as written.
fn escape_text(s: &str) -> String {
    escape(s).replace("&#10;", "\n")
}

/// Seconds as JUnit writes them.
fn secs(s: f64) -> String {
    format!("{:.3}", if s.is_finite() && s > 0.0 { s } else { 0.0 })
}

/// One finding as a line of the failure body or the test output, with its texts below.
fn finding_lines(r: &Report, f: &Finding, out: &mut String) {
    let a = anchor(r, f);
    let at = match a.line {
        Some(l) => format!("{}:{l}", a.path),
        None => a.path.to_string(),
    };
    let _ = writeln!(
        out,
        "{} [mtcheck/{}] {at}: {}",
        f.severity.as_str(),
        f.kind.as_str(),
        f.message
    );
    if !f.source_text.is_empty() {
        let _ = writeln!(out, "    src: {}", super::excerpt(&f.source_text, 200));
    }
    if !f.target_text.is_empty() {
        let _ = writeln!(out, "    tgt: {}", super::excerpt(&f.target_text, 200));
    }
}

fn is_failure(r: &Report) -> bool {
    r.verdict == Verdict::Fail || r.counts.errors > 0
}

fn testcase(r: &Report, out: &mut String) {
    let class = format!("mtcheck.{}_to_{}", r.source.lang, r.target.lang);
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        escape(&r.target.path),
        escape(&class),
        secs(r.timing.total_s)
    );
    let errors: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    let others: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Error)
        .collect();
    let failed = is_failure(r);
    if !failed && others.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    let summary = format!(
        "score {:.1}/100, verdict {}; {} source → {} target",
        r.score,
        r.verdict.as_str(),
        r.source.path,
        r.target.path
    );
    if failed {
        let kinds = {
            let mut k: Vec<&str> = Vec::new();
            for f in &errors {
                if !k.contains(&f.kind.as_str()) {
                    k.push(f.kind.as_str());
                }
            }
            k.join(", ")
        };
        let message = if errors.is_empty() {
            format!("score {:.1}/100 is below the pass mark", r.score)
        } else {
            format!(
                "{} error(s): {kinds}; score {:.1}/100",
                errors.len(),
                r.score
            )
        };
        let mut body = summary.clone() + "\n";
        for f in &errors {
            finding_lines(r, f, &mut body);
        }
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"mtcheck\">{}</failure>",
            escape(&message),
            escape_text(&body)
        );
    }
    if !others.is_empty() {
        let mut body = String::new();
        if !failed {
            body = summary + "\n";
        }
        for f in &others {
            finding_lines(r, f, &mut body);
        }
        let _ = writeln!(out, "      <system-out>{}</system-out>", escape_text(&body));
    }
    out.push_str("    </testcase>\n");
}

/// One `<testsuites>` document with one suite holding a test case per report.
pub fn render(reports: &[Report]) -> String {
    let failures = reports.iter().filter(|r| is_failure(r)).count();
    let time = secs(reports.iter().map(|r| r.timing.total_s.max(0.0)).sum());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{time}\"",
        reports.len()
    );
    let _ = writeln!(out, "<testsuites name=\"mtcheck\" {counts}>");
    let _ = writeln!(out, "  <testsuite name=\"mtcheck\" {counts} skipped=\"0\">");
    for r in reports {
        testcase(r, &mut out);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{passing_rtl_report, sample_report};

    #[test]
    fn one_case_per_pair_with_failure_and_output() {
        let mut bad = sample_report();
        bad.findings[0].message = "bell\u{7} <b>&\"q\"".into();
        let xml = render(&[bad, passing_rtl_report()]);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
        assert!(xml.contains("tests=\"2\" failures=\"1\""));
        assert_eq!(xml.matches("<testcase ").count(), 2);
        assert!(xml.contains(
            "<testcase name=\"docs/de/guide.txt\" classname=\"mtcheck.en_to_de\" time=\"2.000\">"
        ));
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(xml.contains("message=\"2 error(s): number_mismatch, omission; score 61.4/100\""));
        assert!(xml.contains("bell\u{fffd} &lt;b&gt;&amp;&quot;q&quot;"));
        assert!(xml.contains("error [mtcheck/omission] docs/en/guide.txt:3: "));
        // The warning goes to the output, not the failure.
        let out = &xml[xml.find("<system-out>").unwrap()..];
        assert!(out.contains("warning [mtcheck/addition] docs/de/guide.txt:4:"));
        // The passing pair is an empty test case.
        assert!(xml.contains("classname=\"mtcheck.en_to_ar\" time=\"2.000\"/>"));
        // No raw markup from the sentences survives.
        assert!(!xml.contains("<script>"));
        assert!(!xml.chars().any(|c| c < ' ' && c != '\n'));
    }

    #[test]
    fn a_failing_score_without_errors_still_fails() {
        let mut r = sample_report();
        r.findings.retain(|f| f.severity != Severity::Error);
        r.counts = Report::count(&r.findings);
        let xml = render(&[r]);
        assert!(xml.contains("<failure message=\"score 61.4/100 is below the pass mark\""));
    }

    #[test]
    fn no_reports_is_an_empty_suite() {
        let xml = render(&[]);
        assert!(xml.contains("tests=\"0\" failures=\"0\""));
        assert!(!xml.contains("<testcase"));
    }
}
