//! The Markdown summary for a pull-request comment: a table of pairs, worst first, then the
//! findings of every pair that did not pass. Bounded in size, since comments have a length limit
//! and a batch may hold thousands of pairs.

use std::fmt::Write;

use super::{anchor, worst_first, Report};
use crate::finding::Verdict;

/// Table rows shown before "… and N more"; pairs beyond are the best ones.
const MAX_ROWS: usize = 100;
/// Pairs whose findings are listed.
const MAX_DETAILED: usize = 30;
/// Findings listed per pair.
const MAX_FINDINGS: usize = 20;
/// Characters of a sentence quoted in a finding.
const EXCERPT: usize = 80;

/// Escapes text for a Markdown table cell or list item: characters with Markdown meaning get a
/// backslash (pipes would split cells, backticks open code spans), line breaks become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            // `&` too, or "&lt;" in a sentence would show as "<".
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Fail => "❌ fail",
        Verdict::Warn => "⚠️ warn",
        Verdict::Pass => "✅ pass",
    }
}

fn details(r: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "\n#### {} {} ({} → {}, score {:.1})\n",
        verdict(r.verdict),
        escape(&r.target.path),
        escape(&r.source.lang),
        escape(&r.target.lang),
        r.score
    );
    if r.findings.is_empty() {
        let _ = writeln!(out, "- no findings; the score is below the pass mark");
    }
    let mut findings: Vec<_> = r.findings.iter().collect();
    // Errors first; the stable sort keeps document order within a severity.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in findings.iter().take(MAX_FINDINGS) {
        let a = anchor(r, f);
        let at = match (a.line, a.on_source) {
            (Some(l), true) => format!("source line {l}"),
            (Some(l), false) => format!("target line {l}"),
            (None, _) => "document".to_string(),
        };
        let _ = write!(
            out,
            "- **{}** {} ({at}): {}",
            f.severity.as_str(),
            escape(f.kind.as_str()),
            escape(&f.message)
        );
        let quote = |s: &str| format!("“{}”", escape(&super::excerpt(s, EXCERPT)));
        match (f.source_text.is_empty(), f.target_text.is_empty()) {
            (false, false) => {
                let _ = write!(
                    out,
                    " — {} → {}",
                    quote(&f.source_text),
                    quote(&f.target_text)
                );
            }
            (false, true) => {
                let _ = write!(out, " — {}", quote(&f.source_text));
            }
            (true, false) => {
                let _ = write!(out, " — {}", quote(&f.target_text));
            }
            (true, true) => {}
        }
        out.push('\n');
    }
    if findings.len() > MAX_FINDINGS {
        let _ = writeln!(out, "- … and {} more", findings.len() - MAX_FINDINGS);
    }
}

/// The summary of all reports.
pub fn render(reports: &[Report]) -> String {
    let sorted = worst_first(reports);
    let n = |v| reports.iter().filter(|r| r.verdict == v).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### mtcheck: {} pair{} — {} failed, {} with warnings, {} passed\n",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        n(Verdict::Fail),
        n(Verdict::Warn),
        n(Verdict::Pass)
    );
    if reports.is_empty() {
        return out;
    }
    out.push_str("| Target | Languages | Score | Verdict | Errors | Warnings |\n");
    out.push_str("|---|---|---:|---|---:|---:|\n");
    for r in sorted.iter().take(MAX_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} → {} | {:.1} | {} | {} | {} |",
            escape(&r.target.path),
            escape(&r.source.lang),
            escape(&r.target.lang),
            r.score,
            verdict(r.verdict),
            r.counts.errors,
            r.counts.warnings
        );
    }
    if sorted.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more pairs (better scores).",
            sorted.len() - MAX_ROWS
        );
    }
    let flagged: Vec<&&Report> = sorted
        .iter()
        .filter(|r| r.verdict != Verdict::Pass)
        .collect();
    if !flagged.is_empty() {
        out.push_str("\n<details open><summary>Findings</summary>\n");
        for r in flagged.iter().take(MAX_DETAILED) {
            details(r, &mut out);
        }
        if flagged.len() > MAX_DETAILED {
            let _ = writeln!(
                out,
                "\n… and {} more pairs with findings; see the full report.",
                flagged.len() - MAX_DETAILED
            );
        }
        out.push_str("\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{passing_rtl_report, sample_report};

    #[test]
    fn escapes_pipes_backticks_and_line_breaks() {
        assert_eq!(escape("a|b `c` *d*\ne"), "a\\|b \\`c\\` \\*d\\* e");
        assert_eq!(escape("<script> &lt;"), "\\<script\\> \\&lt;");
    }

    #[test]
    fn table_worst_first_then_findings() {
        let md = render(&[passing_rtl_report(), sample_report()]);
        assert!(md.starts_with("### mtcheck: 2 pairs — 1 failed, 0 with warnings, 1 passed\n"));
        let fail = md
            .find("| docs/de/guide.txt | en → de | 61.4 | ❌ fail | 2 | 1 |")
            .unwrap();
        let pass = md.find("| ✅ pass | 0 | 0 |").unwrap();
        assert!(fail < pass);
        assert!(md.contains("- **error** number\\_mismatch (target line 1): number \"20\""));
        assert!(md.contains("- **error** omission (source line 3): source sentence 3"));
        assert!(md.contains("- **warning** addition (target line 4): "));
        // Sentence excerpts have their pipes and backticks escaped; no raw markup is left.
        assert!(!md.contains("<script>"));
        assert!(md.contains("\\<script\\>"));
        // Only the failing pair gets a findings section.
        assert_eq!(md.matches("#### ").count(), 1);
        for line in md.lines().filter(|l| l.starts_with("| ")) {
            assert_eq!(line.matches(" | ").count(), 5, "{line}");
        }
    }

    #[test]
    fn long_batches_are_cut() {
        let reports: Vec<Report> = (0..MAX_ROWS + 5).map(|_| sample_report()).collect();
        let md = render(&reports);
        assert!(md.contains("… and 5 more pairs (better scores)."));
        assert!(md.contains(&format!(
            "… and {} more pairs with findings",
            MAX_ROWS + 5 - MAX_DETAILED
        )));
        assert_eq!(md.matches("#### ").count(), MAX_DETAILED);
    }
}
