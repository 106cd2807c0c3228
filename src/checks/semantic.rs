//! Semantic checks from the alignment: omitted source sentences, added target sentences, aligned
//! pairs that do not say the same thing, and sentences swallowed by a neighbour's merged link.

use std::ops::Range;

use serde_json::json;

use super::{Finding, Kind, Severity};
use crate::score::{Calibration, ScoredLink};
use crate::similarity::SimilarityModel;
use crate::text::Sentence;

/// What the semantic checks look at.
pub struct Context<'a> {
    pub src: &'a [Sentence],
    pub tgt: &'a [Sentence],
    pub links: &'a [ScoredLink],
    pub sim: &'a SimilarityModel,
    pub cal: &'a Calibration,
    pub src_cjk: bool,
    pub tgt_cjk: bool,
}

/// Long enough that losing it loses content, not just a byline or a "Yes.".
fn substantial(s: &Sentence, cjk: bool) -> bool {
    if cjk {
        s.text.chars().filter(|c| c.is_alphanumeric()).count() >= 8
    } else {
        s.text.split_whitespace().count() >= 4
    }
}

fn join(sentences: &[Sentence], r: &Range<usize>) -> String {
    sentences[r.clone()]
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn line(sentences: &[Sentence], r: &Range<usize>) -> Option<usize> {
    sentences
        .get(r.start)
        .filter(|_| !r.is_empty())
        .map(|s| s.line)
}

fn finding(
    ctx: &Context,
    kind: Kind,
    severity: Severity,
    src: Range<usize>,
    tgt: Range<usize>,
    message: String,
    evidence: serde_json::Value,
) -> Finding {
    Finding {
        kind,
        severity,
        source: src.clone().collect(),
        target: tgt.clone().collect(),
        source_text: join(ctx.src, &src),
        target_text: join(ctx.tgt, &tgt),
        source_line: line(ctx.src, &src),
        target_line: line(ctx.tgt, &tgt),
        message,
        evidence,
    }
}

fn round(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

/// Runs every semantic check over the alignment.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (k, l) in ctx.links.iter().enumerate() {
        let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
        match (src.len(), tgt.len()) {
            (0, 0) => {}
            (_, 0) => out.push(unaligned(ctx, k, src, true)),
            (0, _) => out.push(unaligned(ctx, k, tgt, false)),
            _ => {
                if let Some(f) = mistranslation(ctx, l) {
                    out.push(f);
                } else {
                    out.extend(swallowed(ctx, l));
                }
            }
        }
    }
    out
}

/// A 1-0 or 0-1 link. Downgraded to a warning when the sentence is short, or when it closely
/// matches a target (source) sentence already linked to its neighbour: then it was probably
/// merged rather than lost.
fn unaligned(ctx: &Context, link_index: usize, r: Range<usize>, is_source: bool) -> Finding {
    let i = r.start;
    let (sentences, cjk) = if is_source {
        (ctx.src, ctx.src_cjk)
    } else {
        (ctx.tgt, ctx.tgt_cjk)
    };
    let best = if is_source {
        ctx.sim.best_for_source(i)
    } else {
        ctx.sim.best_for_target(i)
    };
    let neighbours = [link_index.checked_sub(1), Some(link_index + 1)];
    let merged_into = best.filter(|&(j, z)| {
        z >= ctx.cal.absorbed_z
            && neighbours
                .iter()
                .flatten()
                .filter_map(|&n| ctx.links.get(n))
                .any(|l| {
                    let other = if is_source {
                        &l.link.target
                    } else {
                        &l.link.source
                    };
                    other.contains(&j)
                })
    });
    let severity = if merged_into.is_some() || !substantial(&sentences[i], cjk) {
        Severity::Warning
    } else {
        Severity::Error
    };
    let (side, other) = if is_source {
        ("source", "target")
    } else {
        ("target", "source")
    };
    let mut message = format!(
        "{side} sentence {} (line {}) has no counterpart in the {other}",
        i + 1,
        sentences[i].line
    );
    if let Some((j, _)) = merged_into {
        message.push_str(&format!(
            "; it resembles {other} sentence {}, which may render it together with a neighbour",
            j + 1
        ));
    }
    let evidence = json!({
        "best_match": best.map(|(j, _)| j),
        "best_z": best.map(|(_, z)| round(z)),
    });
    if is_source {
        finding(ctx, Kind::Omission, severity, r, 0..0, message, evidence)
    } else {
        finding(ctx, Kind::Addition, severity, 0..0, r, message, evidence)
    }
}

/// A link whose margin is far below what true translations get.
fn mistranslation(ctx: &Context, l: &ScoredLink) -> Option<Finding> {
    let severity = if l.z < ctx.cal.mistranslation_error_z {
        Severity::Error
    } else if l.z < ctx.cal.mistranslation_warning_z {
        Severity::Warning
    } else {
        return None;
    };
    let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
    let message = format!(
        "source {} and target {} do not say the same thing (score {:.0}/100, similarity {:.3})",
        describe(&src),
        describe(&tgt),
        l.score,
        l.similarity
    );
    Some(finding(
        ctx,
        Kind::Mistranslation,
        severity,
        src,
        tgt,
        message,
        json!({"similarity": round(l.similarity), "z": round(l.z), "score": l.score}),
    ))
}

fn describe(r: &Range<usize>) -> String {
    if r.len() == 1 {
        format!("sentence {}", r.start + 1)
    } else {
        format!("sentences {}-{}", r.start + 1, r.end)
    }
}

/// In a merged link (2-1, 1-2, …) an end sentence that adds nothing to the link's similarity and
/// does not resemble the other side on its own was absorbed, not translated.
fn swallowed(ctx: &Context, l: &ScoredLink) -> Vec<Finding> {
    let mut out = Vec::new();
    let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
    for is_source in [true, false] {
        let side = if is_source { &src } else { &tgt };
        if side.len() < 2 {
            continue;
        }
        let full = ctx.sim.cos(src.clone(), tgt.clone());
        for (part, rest) in [
            (side.start..side.start + 1, side.start + 1..side.end),
            (side.end - 1..side.end, side.start..side.end - 1),
        ] {
            let (rest_cos, part_z) = if is_source {
                (
                    ctx.sim.cos(rest.clone(), tgt.clone()),
                    ctx.sim
                        .z(ctx.sim.cos(part.clone(), tgt.clone()), &part, &tgt),
                )
            } else {
                (
                    ctx.sim.cos(src.clone(), rest.clone()),
                    ctx.sim
                        .z(ctx.sim.cos(src.clone(), part.clone()), &src, &part),
                )
            };
            let gain = (full - rest_cos) / ctx.sim.sigma;
            if gain >= ctx.cal.min_merge_gain || part_z >= ctx.cal.mistranslation_warning_z {
                continue;
            }
            let (sentences, cjk) = if is_source {
                (ctx.src, ctx.src_cjk)
            } else {
                (ctx.tgt, ctx.tgt_cjk)
            };
            let severity = if substantial(&sentences[part.start], cjk) {
                Severity::Error
            } else {
                Severity::Warning
            };
            let evidence = json!({"merged_link": {"source": src.clone().collect::<Vec<_>>(), "target": tgt.clone().collect::<Vec<_>>()}, "gain_z": round(gain), "alone_z": round(part_z)});
            let f = if is_source {
                let message = format!("source {} is not rendered: the target it is aligned with matches its neighbour alone", describe(&part));
                finding(
                    ctx,
                    Kind::Omission,
                    severity,
                    part.clone(),
                    tgt.clone(),
                    message,
                    evidence,
                )
            } else {
                let message = format!("target {} has no source: the source it is aligned with matches its neighbour alone", describe(&part));
                finding(
                    ctx,
                    Kind::Addition,
                    severity,
                    src.clone(),
                    part.clone(),
                    message,
                    evidence,
                )
            };
            out.push(f);
        }
    }
    out
}
