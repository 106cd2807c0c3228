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
            let sides = [
                (
                    "src",
                    &f.source_text,
                    &f.source,
                    &r.source_sentences,
                    &f.source_spans,
                ),
                (
                    "tgt",
                    &f.target_text,
                    &f.target,
                    &r.target_sentences,
                    &f.target_spans,
                ),
            ];
            for (label, text, ids, sentences, spans) in sides {
                if text.is_empty() {
                    continue;
                }
                let line = if spans.is_empty() {
                    clip(text, 160)
                } else {
                    // The words the finding is about, marked in full: clipping could cut them.
                    super::span_pieces(text, ids, sentences, spans)
                        .into_iter()
                        .map(|(piece, marked)| match (marked, st.on) {
                            (false, _) => piece.to_string(),
                            (true, true) => st.paint("1;4", piece),
                            (true, false) => format!("\u{27e6}{piece}\u{27e7}"),
                        })
                        .collect()
                };
                let _ = writeln!(o, "      {label} │ {line}");
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
    let _ = writeln!(
        o,
        "\nAlignment (link, source → target sentences, score{})",
        if r.alignments.iter().any(|a| a.qe.is_some()) {
            ", quality estimate"
        } else {
            ""
        }
    );
    for (k, a) in r.alignments.iter().enumerate() {
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
        let mut head = format!(
            "#{:<4} {:>7} → {:<7} {:>5.1}",
            k + 1,
            ids(&a.source),
            ids(&a.target),
            a.score
        );
        if let Some(q) = a.qe {
            head.push_str(&format!("  qe {q:.2}"));
        }
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

/// One link's word alignment (`check --explain N`, N counted from 1 as `--alignment` lists
/// links): each source word with its partners in the target and the similarity to the best one,
/// then the target words left without a partner. `None` when there is no such link or it has no
/// word alignment (an omission or addition).
pub fn explain(r: &Report, n: usize) -> Option<String> {
    let a = r.alignments.get(n.checked_sub(1)?)?;
    let words = a.words.as_ref()?;
    let mut o = String::new();
    let join = |ids: &[usize], s: &[super::SentenceOut]| {
        ids.iter()
            .filter_map(|&i| s.get(i))
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = writeln!(
        o,
        "link #{n}: similarity {:.3}, score {:.1}{}",
        a.similarity.unwrap_or(0.0),
        a.score,
        a.qe.map_or(String::new(), |q| format!(", quality estimate {q:.2}"))
    );
    let _ = writeln!(o, "  src │ {}", join(&a.source, &r.source_sentences));
    let _ = writeln!(o, "  tgt │ {}", join(&a.target, &r.target_sentences));
    let _ = writeln!(
        o,
        "\n  {:<24} {:<24} {:>6}",
        "source word", "target word", "conf"
    );
    for w in &words.source {
        let partners = w
            .partners
            .iter()
            .filter_map(|&j| words.target.get(j))
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        let partners = if partners.is_empty() {
            "(none)".to_string()
        } else {
            partners
        };
        let _ = writeln!(
            o,
            "  {:<24} {:<24} {:>6.3}",
            clip(&w.text, 24),
            clip(&partners, 24),
            w.confidence
        );
    }
    let alone: Vec<&str> = words
        .target
        .iter()
        .filter(|w| w.partners.is_empty())
        .map(|w| w.text.as_str())
        .collect();
    if !alone.is_empty() {
        let _ = writeln!(o, "\n  target words without a partner: {}", alone.join(" "));
    }
    Some(o)
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
        assert!(full.contains("\nAlignment ("), "{full}");
        for s in &r.target_sentences {
            assert!(full.contains(&s.text));
        }
    }

    #[test]
    fn the_alignment_shows_each_links_quality_estimate_when_there_is_one() {
        let mut r = sample_report();
        let plain = render(&r, with(Detail::Alignment));
        assert!(
            !plain.contains("qe ") && !plain.contains("quality estimate"),
            "{plain}"
        );
        r.alignments[0].qe = Some(0.874);
        let out = render(&r, with(Detail::Alignment));
        assert!(out.contains("score, quality estimate)"), "{out}");
        assert!(out.contains("qe 0.87"), "{out}");
    }

    #[test]
    fn the_words_a_finding_points_at_are_marked_in_its_sentences() {
        let out = render(&sample_report(), TextOptions::default());
        assert!(out.contains("src │ The price is ⟦20⟧ €"), "{out}");
        assert!(out.contains("tgt │ Der Preis beträgt ⟦25⟧ €"), "{out}");
        let coloured = render(
            &sample_report(),
            TextOptions {
                color: true,
                detail: Detail::Findings,
            },
        );
        assert!(coloured.contains("\x1b[1;4m25\x1b[0m"), "{coloured}");
    }

    #[test]
    fn explain_lists_each_word_with_its_partner_and_refuses_links_without_words() {
        let mut r = sample_report();
        assert!(
            explain(&r, 1).is_none(),
            "no word alignment without --details"
        );
        let word = |text: &str, start: usize, partners: Vec<usize>, confidence: f32| {
            crate::wordalign::AlignedWord {
                text: text.into(),
                start,
                end: start + text.len(),
                partners,
                confidence,
            }
        };
        r.alignments[0].words = Some(crate::wordalign::WordAlignment {
            source: vec![word("price", 4, vec![1], 0.81), word("20", 13, vec![], 0.4)],
            target: vec![word("Der", 0, vec![], 0.3), word("Preis", 4, vec![0], 0.81)],
        });
        let out = explain(&r, 1).unwrap();
        assert!(
            out.contains("price") && out.contains("Preis") && out.contains("0.810"),
            "{out}"
        );
        assert!(out.contains("(none)"), "{out}");
        assert!(out.contains("without a partner: Der"), "{out}");
        assert!(explain(&r, 0).is_none() && explain(&r, 99).is_none());
    }

    #[test]
    fn findings_are_shown_by_default_with_their_sentences() {
        let r = sample_report();
        let out = render(&r, TextOptions::default());
        assert!(out.contains("\nFindings\n"), "{out}");
        for f in &r.findings {
            assert!(out.contains(&f.message), "{}", f.message);
        }
        assert!(!out.contains("\nAlignment ("));
    }
}
