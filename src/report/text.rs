//! The human-readable report: a summary, the findings with their sentences, and on request the
//! alignment stacked pair by pair. Like a linter's, the default output is what needs looking at.

use std::fmt::Write;

use super::{Detail, Report, TextOptions};
use crate::finding::Severity;
use crate::finding::Verdict;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.paint("1;31", "error"),
            Severity::Warning => self.paint("1;33", "warning"),
            Severity::Info => self.paint("36", "info"),
        }
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

pub fn render(r: &Report, opts: TextOptions) -> String {
    let st = Style { on: opts.color };
    let mut o = String::new();
    let verdict = match r.verdict {
        Verdict::Pass => st.paint("1;32", "PASS"),
        Verdict::Warn => st.paint("1;33", "WARN"),
        Verdict::Fail => st.paint("1;31", "FAIL"),
    };
    let _ = writeln!(
        o,
        "{verdict}  score {:.1}/100  {} ({}, {} sentences) → {} ({}, {} sentences)",
        r.score,
        r.source.path,
        r.source.lang,
        r.source.sentences,
        r.target.path,
        r.target.lang,
        r.target.sentences
    );
    if opts.detail == Detail::Quiet {
        return o;
    }
    let _ = writeln!(
        o,
        "      {} errors, {} warnings, {} notes; model {} on {}; {:.2}s",
        r.counts.errors,
        r.counts.warnings,
        r.counts.infos,
        r.model.id,
        r.model.device,
        r.timing.total_s
    );
    let _ = writeln!(o, "      calibration {}", r.calibration.summary);
    if !r.findings.is_empty() {
        let _ = writeln!(o, "\nFindings");
        for f in &r.findings {
            let loc = match (f.source_line, f.target_line) {
                (Some(s), Some(t)) => format!("src:{s} tgt:{t}"),
                (Some(s), None) => format!("src:{s}"),
                (None, Some(t)) => format!("tgt:{t}"),
                (None, None) => String::from("document"),
            };
            let _ = writeln!(
                o,
                "  {} [{}] {}: {}",
                st.severity(f.severity),
                f.kind.as_str(),
                loc,
                f.message
            );
            if !f.source_text.is_empty() {
                let _ = writeln!(o, "      src │ {}", clip(&f.source_text, 160));
            }
            if !f.target_text.is_empty() {
                let _ = writeln!(o, "      tgt │ {}", clip(&f.target_text, 160));
            }
        }
    }
    if opts.detail != Detail::Alignment {
        let _ = writeln!(
            o,
            "\n      {} aligned pairs; --alignment shows them all",
            r.alignments.len()
        );
        return o;
    }
    let _ = writeln!(o, "\nAlignment");
    for a in &r.alignments {
        let flagged = r.findings.iter().any(|f| {
            f.severity >= Severity::Warning
                && (a.source.iter().any(|i| f.source.contains(i))
                    || a.target.iter().any(|j| f.target.contains(j)))
        });
        let ids = |v: &[usize]| {
            v.iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let head = format!(
            "{:>7} → {:<7} {:>5.1}",
            ids(&a.source),
            ids(&a.target),
            a.score
        );
        let _ = writeln!(
            o,
            "{}",
            if flagged {
                st.paint("1", &head)
            } else {
                st.paint("2", &head)
            }
        );
        for &i in &a.source {
            let _ = writeln!(o, "      src │ {}", clip(&r.source_sentences[i].text, 160));
        }
        if a.source.is_empty() {
            let _ = writeln!(o, "      src │ {}", st.paint("33", "(nothing)"));
        }
        for &j in &a.target {
            let _ = writeln!(o, "      tgt │ {}", clip(&r.target_sentences[j].text, 160));
        }
        if a.target.is_empty() {
            let _ = writeln!(o, "      tgt │ {}", st.paint("33", "(nothing)"));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{passing_rtl_report, sample_report};

    fn with(detail: Detail) -> TextOptions {
        TextOptions {
            color: false,
            detail,
        }
    }

    #[test]
    fn text_report_names_the_device_as_people_write_it_not_cpu_in_debug_case() {
        let out = render(&sample_report(), TextOptions::default());
        assert!(out.contains(" on CPU; "), "{out}");
        assert!(!out.contains("on Cpu"), "{out}");
    }

    #[test]
    fn quiet_prints_the_verdict_line_only() {
        let out = render(&sample_report(), with(Detail::Quiet));
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.starts_with("FAIL  score 61.4/100"), "{out}");
    }

    #[test]
    fn a_clean_pair_by_default_is_a_summary_not_its_whole_alignment() {
        let r = passing_rtl_report();
        let out = render(&r, TextOptions::default());
        assert!(
            !out.contains("Alignment") && !out.contains("Findings"),
            "{out}"
        );
        assert!(out.lines().count() <= 5, "{out}");
        assert!(out.contains("--alignment shows them all"));
        let full = render(&r, with(Detail::Alignment));
        assert!(full.contains("\nAlignment\n"), "{full}");
        for s in &r.target_sentences {
            assert!(full.contains(&s.text));
        }
    }

    #[test]
    fn findings_are_shown_by_default_with_their_sentences() {
        let r = sample_report();
        let out = render(&r, TextOptions::default());
        assert!(out.contains("\nFindings\n"), "{out}");
        for f in &r.findings {
            assert!(out.contains(&f.message), "{}", f.message);
        }
        assert!(!out.contains("\nAlignment\n"));
    }
}
