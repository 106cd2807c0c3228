//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding,
//! plus one per pair whose verdict is not a pass.

use std::fmt::Write;

use super::{anchor, Report};
use crate::finding::Severity;
use crate::finding::Verdict;

/// Escapes a command's message (GitHub's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value (GitHub's `escapeProperty`): also `:` and `,`, which would
/// otherwise end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn annotation(
    out: &mut String,
    cmd: &str,
    file: &str,
    line: Option<usize>,
    title: &str,
    msg: &str,
) {
    let _ = write!(out, "::{cmd} file={}", escape_property(file));
    if let Some(l) = line.filter(|&l| l >= 1) {
        let _ = write!(out, ",line={l}");
    }
    let _ = writeln!(
        out,
        ",title={}::{}",
        escape_property(title),
        escape_data(msg)
    );
}

/// The workflow commands for all reports, one per line.
pub fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let a = anchor(r, f);
            let title = format!("mtcheck/{}", f.kind.as_str());
            let words = super::quoted_spans(f);
            let msg = if words.is_empty() {
                f.message.clone()
            } else {
                format!("{} [{words}]", f.message)
            };
            annotation(&mut out, command(f.severity), a.path, a.line, &title, &msg);
        }
        // A pair can fail on its score alone; say so once, on the target file.
        let cmd = match r.verdict {
            Verdict::Fail => "error",
            Verdict::Warn => "warning",
            Verdict::Pass => continue,
        };
        let msg = format!(
            "translation of {} scored {:.1}/100 ({}): {} errors, {} warnings",
            r.source.path,
            r.score,
            r.verdict.as_str(),
            r.counts.errors,
            r.counts.warnings
        );
        annotation(&mut out, cmd, &r.target.path, None, "mtcheck", &msg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{passing_rtl_report, sample_report};

    #[test]
    fn escapes_per_github_rules() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn annotations_quote_the_words_a_finding_points_at() {
        let out = render(&[sample_report()]);
        let first = out.lines().next().unwrap();
        assert!(first.contains("[“20”, “25”]"), "{first}");
    }

    #[test]
    fn one_annotation_per_finding_and_failing_pair() {
        let mut r = sample_report();
        r.findings[0].message = "50% off,\nnow: here".into();
        r.findings[0].source_spans.clear();
        r.findings[0].target_spans.clear();
        r.target.path = "de/a,b:c.txt".into();
        let out = render(&[r, passing_rtl_report()]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert_eq!(
            lines[0],
            "::error file=de/a%2Cb%3Ac.txt,line=1,title=mtcheck/number_mismatch::50%25 off,%0Anow: here"
        );
        assert_eq!(
            lines[1],
            "::error file=docs/en/guide.txt,line=3,title=mtcheck/omission::source sentence 3 has no counterpart in the target"
        );
        assert!(
            lines[2].starts_with("::warning file=de/a%2Cb%3Ac.txt,line=4,title=mtcheck/addition::")
        );
        assert!(lines[3].starts_with("::error file=de/a%2Cb%3Ac.txt,title=mtcheck::translation of docs/en/guide.txt scored 61.4/100 (fail)"));
    }

    #[test]
    fn info_is_a_notice() {
        let mut r = sample_report();
        r.findings.truncate(1);
        r.findings[0].severity = Severity::Info;
        r.verdict = Verdict::Pass;
        assert_eq!(
            render(&[r]).lines().next().map(|l| &l[..9]),
            Some("::notice ")
        );
    }
}
