//! The HTML report: one self-contained page (inline CSS and script, nothing fetched) with an
//! overall summary, then per pair its score, verdict and alignment side by side, rows with
//! findings highlighted and the findings listed under them.

use std::fmt::Write;

use super::{worst_first, Report, SentenceOut};
use crate::finding::Verdict;
use crate::finding::{Finding, Severity};

/// "1 pair", "2 pairs".
fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL and other C0 controls are parse errors in HTML; tab and line breaks are kept.
            '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}' => {
                out.push('\u{fffd}')
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --err: #c62828; --warn: #b26a00; --info: #1565c0; --muted: #666; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1em; color: #222; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.15em; margin: 0; }
.controls { margin: .6em 0; }
.controls label { display: none; }
.js .controls label { display: inline; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .5em; vertical-align: top; text-align: start; }
.overview td.num, .overview th.num, td.score { text-align: end; font-variant-numeric: tabular-nums; }
section.pair { border: 1px solid #ccc; border-radius: 6px; margin: 1.2em 0; padding: .8em; }
section.pair > header { display: flex; gap: 1em; align-items: baseline; flex-wrap: wrap; }
.verdict { font-weight: bold; padding: 0 .4em; border-radius: 3px; color: #fff; }
.verdict.pass { background: #2e7d32; } .verdict.warn { background: var(--warn); } .verdict.fail { background: var(--err); }
.docs { color: var(--muted); margin: .3em 0 .6em; }
table.alignment td.text { width: 45%; white-space: pre-wrap; }
table.alignment td.ids { color: var(--muted); white-space: nowrap; }
td.empty { background: repeating-linear-gradient(45deg, #fafafa, #fafafa 6px, #f0f0f0 6px, #f0f0f0 12px); }
tr.sev-error > td { background-color: #fdecea; } tr.sev-warning > td { background-color: #fff4e0; } tr.sev-info > td { background-color: #e8f1fb; }
tr.findings > td { padding-top: 0; border-bottom: 1px solid #bbb; }
ul.findings { margin: .2em 0 .4em; padding-inline-start: 1.2em; }
li.finding.error::marker { color: var(--err); } li.finding.warning::marker { color: var(--warn); } li.finding.info::marker { color: var(--info); }
.kind { font-family: ui-monospace, monospace; font-size: .92em; }
.sev { font-weight: bold; } .sev.error { color: var(--err); } .sev.warning { color: var(--warn); } .sev.info { color: var(--info); }
body.only-findings tr.link:not(.flagged) { display: none; }
body.only-findings section.pair.clean { display: none; }
"#;

/// Counts findings from the DOM (so the numbers match what is shown), writes them into the
/// summary, and wires the "only rows with findings" filter.
const SCRIPT: &str = r#"
(function () {
  document.documentElement.classList.add("js");
  var findings = document.querySelectorAll(".finding");
  var by = { error: 0, warning: 0, info: 0 };
  for (var i = 0; i < findings.length; i++) {
    var s = findings[i].getAttribute("data-severity");
    if (s in by) by[s]++;
  }
  var p = document.createElement("p");
  p.id = "finding-count";
  p.textContent = findings.length + " findings shown: " + by.error + " errors, " +
    by.warning + " warnings, " + by.info + " notes";
  var summary = document.getElementById("summary");
  if (summary) summary.appendChild(p);
  var box = document.getElementById("only-findings");
  function apply() { document.body.classList.toggle("only-findings", box.checked); }
  if (box) { box.addEventListener("change", apply); apply(); }
})();
"#;

fn severity_class(s: Severity) -> &'static str {
    s.as_str()
}

fn finding_item(out: &mut String, f: &Finding) {
    let sev = severity_class(f.severity);
    let _ = writeln!(
        out,
        "<li class=\"finding {sev}\" data-kind=\"{}\" data-severity=\"{sev}\"><span class=\"sev {sev}\">{sev}</span> <span class=\"kind\">{}</span>{}: {}</li>",
        escape(f.kind.as_str()),
        escape(f.kind.as_str()),
        match (f.source_line, f.target_line) {
            (Some(s), Some(t)) => format!(" (source line {s}, target line {t})"),
            (Some(s), None) => format!(" (source line {s})"),
            (None, Some(t)) => format!(" (target line {t})"),
            (None, None) => String::new(),
        },
        escape(&f.message)
    );
    let marked = |spans: &[crate::finding::Span]| {
        spans
            .iter()
            .map(|s| format!("<mark>{}</mark>", escape(&s.text)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !f.source_spans.is_empty() || !f.target_spans.is_empty() {
        // Inside the item: reopen it for the words the finding points at.
        out.truncate(out.trim_end_matches("</li>\n").len());
        let _ = writeln!(
            out,
            "<span class=\"spans\">{}{}{}</span></li>",
            if f.source_spans.is_empty() {
                String::new()
            } else {
                format!(" source: {}", marked(&f.source_spans))
            },
            if f.source_spans.is_empty() || f.target_spans.is_empty() {
                ""
            } else {
                ";"
            },
            if f.target_spans.is_empty() {
                String::new()
            } else {
                format!(" target: {}", marked(&f.target_spans))
            },
        );
    }
}

/// A cell with the sentences of one side of a link; `dir="auto"` lets the browser lay out
/// right-to-left scripts (Arabic, Hebrew) by their first strong character. Where the sentences
/// have locations (a segment, an article's line and column or paragraph), the cell's tooltip
/// gives them.
fn text_cell(out: &mut String, lang: &str, ids: &[usize], sentences: &[SentenceOut]) {
    if ids.is_empty() {
        out.push_str("<td class=\"text empty\"></td>");
        return;
    }
    let picked: Vec<&SentenceOut> = ids.iter().filter_map(|&i| sentences.get(i)).collect();
    let joined = picked
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let locations: Vec<&str> = picked
        .iter()
        .filter_map(|s| s.location.as_deref())
        .collect();
    let title = if locations.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape(&locations.join("; ")))
    };
    // Articles: the blocks the sentences come from, as written in the file (each once).
    let mut originals: Vec<&str> = Vec::new();
    for o in picked.iter().filter_map(|s| s.original.as_deref()) {
        if !originals.contains(&o) {
            originals.push(o);
        }
    }
    let quoted = if originals.is_empty() {
        String::new()
    } else {
        format!(
            "<details class=\"original\"><summary>original</summary><pre dir=\"auto\">{}</pre></details>",
            escape(&originals.join("\n"))
        )
    };
    let _ = write!(
        out,
        "<td class=\"text\" dir=\"auto\" lang=\"{}\"{title}>{}{quoted}</td>",
        escape(lang),
        escape(&joined)
    );
}

fn ids(v: &[usize]) -> String {
    v.iter()
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn pair(out: &mut String, r: &Report, n: usize) {
    // Each finding is listed once: under the first link that shares a sentence with it, or
    // above the table when none does (document-level findings). Index maps keep this linear.
    let mut src_link = vec![usize::MAX; r.source_sentences.len()];
    let mut tgt_link = vec![usize::MAX; r.target_sentences.len()];
    for (k, a) in r.alignments.iter().enumerate() {
        for &i in &a.source {
            if let Some(slot) = src_link.get_mut(i) {
                *slot = (*slot).min(k);
            }
        }
        for &j in &a.target {
            if let Some(slot) = tgt_link.get_mut(j) {
                *slot = (*slot).min(k);
            }
        }
    }
    let mut per_link: Vec<Vec<&Finding>> = vec![Vec::new(); r.alignments.len()];
    let mut unplaced = Vec::new();
    for f in &r.findings {
        let k = f
            .source
            .iter()
            .filter_map(|&i| src_link.get(i))
            .chain(f.target.iter().filter_map(|&j| tgt_link.get(j)))
            .copied()
            .min()
            .unwrap_or(usize::MAX);
        match per_link.get_mut(k) {
            Some(list) => list.push(f),
            None => unplaced.push(f),
        }
    }

    let verdict = r.verdict.as_str();
    let clean = if r.findings.is_empty() { " clean" } else { "" };
    let _ = writeln!(
        out,
        "<section class=\"pair {verdict}{clean}\" id=\"pair-{n}\">\n<header><h2><bdi>{}</bdi></h2><span class=\"score\">score {:.1}/100</span><span class=\"verdict {verdict}\">{}</span><span>{} errors, {} warnings, {} notes</span></header>",
        escape(&r.target.path),
        r.score,
        verdict.to_uppercase(),
        r.counts.errors,
        r.counts.warnings,
        r.counts.infos
    );
    let _ = writeln!(
        out,
        "<p class=\"docs\"><bdi>{}</bdi> ({}, {} sentences) → <bdi>{}</bdi> ({}, {} sentences)</p>",
        escape(&r.source.path),
        escape(&r.source.lang),
        r.source.sentences,
        escape(&r.target.path),
        escape(&r.target.lang),
        r.target.sentences
    );
    if !unplaced.is_empty() {
        out.push_str("<ul class=\"findings document\">\n");
        for f in unplaced {
            finding_item(out, f);
        }
        out.push_str("</ul>\n");
    }
    // The quality-estimate column appears when the model has an estimator.
    let has_qe = r.alignments.iter().any(|a| a.qe.is_some());
    let _ = writeln!(
        out,
        "<table class=\"alignment\"><thead><tr><th>#</th><th>Source</th><th>Target</th><th>Score</th>{}</tr></thead>\n<tbody>",
        if has_qe {
            "<th title=\"learned quality estimate: probability of a critical error\">QE</th>"
        } else {
            ""
        }
    );
    for (a, found) in r.alignments.iter().zip(&per_link) {
        let worst = found.iter().map(|f| f.severity).max();
        let class = match worst {
            Some(s) => format!("link flagged sev-{}", severity_class(s)),
            None => "link".to_string(),
        };
        let sev_attr = worst
            .map(|s| format!(" data-severity=\"{}\"", severity_class(s)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr class=\"{class}\"{sev_attr}><td class=\"ids\">{} → {}</td>",
            ids(&a.source),
            ids(&a.target)
        );
        text_cell(out, &r.source.lang, &a.source, &r.source_sentences);
        text_cell(out, &r.target.lang, &a.target, &r.target_sentences);
        let _ = write!(out, "<td class=\"score\">{:.1}</td>", a.score);
        if has_qe {
            let _ = write!(
                out,
                "<td class=\"score qe\">{}</td>",
                a.qe.map_or(String::new(), |q| format!("{q:.2}"))
            );
        }
        out.push_str("</tr>\n");
        if let Some(s) = worst {
            let _ = writeln!(
                out,
                "<tr class=\"link flagged findings sev-{}\"><td></td><td colspan=\"{}\"><ul class=\"findings\">",
                severity_class(s),
                if has_qe { 4 } else { 3 }
            );
            for f in found {
                finding_item(out, f);
            }
            out.push_str("</ul></td></tr>\n");
        }
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// One page for all reports.
pub fn render(reports: &[Report]) -> String {
    let sorted = worst_first(reports);
    let n = |v| reports.iter().filter(|r| r.verdict == v).count();
    let total = |f: fn(&Report) -> usize| reports.iter().map(f).sum::<usize>();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>mtcheck report: {} pair{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "<header id=\"summary\"><h1>mtcheck report</h1>\n<p>{}: {} failed, {} with warnings, {} passed; {}, {}, {}. mtcheck {}.</p>",
        counted(reports.len(), "pair"),
        n(Verdict::Fail),
        n(Verdict::Warn),
        n(Verdict::Pass),
        counted(total(|r| r.counts.errors), "error"),
        counted(total(|r| r.counts.warnings), "warning"),
        counted(total(|r| r.counts.infos), "note"),
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("<p class=\"controls\"><label><input type=\"checkbox\" id=\"only-findings\"> Show only rows with findings</label></p>\n</header>\n");
    if reports.len() > 1 {
        out.push_str("<table class=\"overview\"><thead><tr><th>Target</th><th>Languages</th><th class=\"num\">Score</th><th>Verdict</th><th class=\"num\">Errors</th><th class=\"num\">Warnings</th></tr></thead>\n<tbody>\n");
        for (k, r) in sorted.iter().enumerate() {
            let v = r.verdict.as_str();
            let _ = writeln!(
                out,
                "<tr><td><a href=\"#pair-{k}\"><bdi>{}</bdi></a></td><td>{} → {}</td><td class=\"num\">{:.1}</td><td><span class=\"verdict {v}\">{}</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&r.target.path),
                escape(&r.source.lang),
                escape(&r.target.lang),
                r.score,
                v.to_uppercase(),
                r.counts.errors,
                r.counts.warnings
            );
        }
        out.push_str("</tbody></table>\n");
    }
    for (k, r) in sorted.iter().enumerate() {
        pair(&mut out, r, k);
    }
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{passing_rtl_report, sample_report};

    #[test]
    fn the_words_a_finding_points_at_are_highlighted() {
        let html = render(&[sample_report()]);
        assert!(
            html.contains("source: <mark>20</mark>; target: <mark>25</mark></span></li>"),
            "{html}"
        );
    }

    #[test]
    fn an_article_sentence_quotes_its_original_block_escaped() {
        let mut r = sample_report();
        r.target_sentences[0].original = Some("<p>Der <b>Preis</b> beträgt 25 €</p>".into());
        let html = render(&[r]);
        assert!(
            html.contains("<details class=\"original\"><summary>original</summary><pre dir=\"auto\">&lt;p&gt;Der &lt;b&gt;Preis&lt;/b&gt; beträgt 25 €&lt;/p&gt;</pre></details>"),
            "{html}"
        );
        // Plain-text sentences quote nothing.
        assert_eq!(html.matches("class=\"original\"").count(), 1);
    }

    #[test]
    fn a_quality_estimate_column_appears_only_with_estimates() {
        let mut r = sample_report();
        assert!(!render(&[r.clone()]).contains(">QE</th>"));
        r.alignments[0].qe = Some(0.874);
        let html = render(&[r]);
        assert!(html.contains(">QE</th>"), "{html}");
        assert!(html.contains("<td class=\"score qe\">0.87</td>"), "{html}");
        assert!(html.contains("colspan=\"4\""), "{html}");
    }

    #[test]
    fn html_summary_says_1_pair_not_1_pairs() {
        let html = render(&[sample_report()]);
        assert!(html.contains("1 pair"), "{html}");
        assert!(!html.contains("1 pairs"), "{html}");
        assert_eq!(counted(2, "error"), "2 errors");
        assert_eq!(counted(1, "warning"), "1 warning");
    }

    #[test]
    fn sentence_cells_name_where_the_sentences_are() {
        let mut r = sample_report();
        r.target_sentences[0].location = Some("line 12, column 5 (<p>)".into());
        let html = render(&[r]);
        assert!(
            html.contains("title=\"line 12, column 5 (&lt;p&gt;)\">Der Preis"),
            "{html}"
        );
    }

    #[test]
    fn escapes_everything() {
        assert_eq!(
            escape("<script>alert('x\"&')</script>\u{0}"),
            "&lt;script&gt;alert(&#39;x&quot;&amp;&#39;)&lt;/script&gt;\u{fffd}"
        );
    }

    #[test]
    fn page_is_self_contained_and_escaped() {
        let mut r = sample_report();
        r.findings[1].message = "evil <img src=x onerror=alert(1)>".into();
        let html = render(&[r, passing_rtl_report()]);
        assert!(html.starts_with("<!DOCTYPE html>"));
        // The only <script> element is ours; sentence markup is escaped.
        assert_eq!(html.matches("<script>").count(), 1);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more."));
        assert!(html.contains("evil &lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<img"));
        // Nothing is fetched.
        for needle in ["src=\"", "href=\"http", "@import", "url("] {
            assert!(!html.contains(needle), "{needle}");
        }
    }

    #[test]
    fn rows_carry_findings_and_direction() {
        let html = render(&[sample_report()]);
        assert_eq!(html.matches("class=\"finding ").count(), 3);
        assert!(html.contains(
            "<li class=\"finding error\" data-kind=\"omission\" data-severity=\"error\">"
        ));
        assert!(html.contains("data-kind=\"number_mismatch\" data-severity=\"error\""));
        assert!(html.contains("data-kind=\"addition\" data-severity=\"warning\""));
        // Omission: source text, empty target cell; addition the other way round.
        assert!(html.contains(
            "<td class=\"ids\">3 → </td><td class=\"text\" dir=\"auto\" lang=\"en\">This sentence was dropped.</td><td class=\"text empty\"></td>"
        ));
        assert!(html.contains("<td class=\"ids\"> → 4</td><td class=\"text empty\"></td>"));
        assert_eq!(
            html.matches("<tr class=\"link flagged sev-error\"").count(),
            2
        );
        assert_eq!(
            html.matches("<tr class=\"link flagged sev-warning\"")
                .count(),
            1
        );
        assert_eq!(html.matches("<tr class=\"link\">").count(), 2);

        let rtl = render(&[passing_rtl_report()]);
        assert!(rtl.contains("<td class=\"text\" dir=\"auto\" lang=\"ar\">السعر 20 يورو.</td>"));
        assert!(rtl.contains("section class=\"pair pass clean\""));
    }

    #[test]
    fn document_findings_go_above_the_table_and_bad_indices_are_tolerated() {
        let mut r = sample_report();
        r.findings[2].source.clear();
        r.findings[2].target.clear();
        r.findings[0].source = vec![99];
        r.findings[0].target = vec![99];
        r.alignments.push(super::super::Alignment {
            source: vec![42],
            target: vec![],
            similarity: None,
            score: 0.0,
            z: None,
            parts: Vec::new(),
            words: None,
            qe: None,
            qe_features: None,
        });
        let html = render(&[r]);
        let doc = html.find("<ul class=\"findings document\">").unwrap();
        assert!(doc < html.find("<table class=\"alignment\">").unwrap());
        assert_eq!(html.matches("class=\"finding ").count(), 3);
        assert!(html.contains(
            "<td class=\"ids\">43 → </td><td class=\"text\" dir=\"auto\" lang=\"en\"></td>"
        ));
    }
}
