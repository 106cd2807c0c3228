//! Semantic checks from the alignment: omitted source sentences, added target sentences, aligned
//! pairs that do not say the same thing, and sentences swallowed by a neighbour's merged link.

use std::ops::Range;

use serde_json::json;

use super::{Finding, Kind, Severity};
use crate::score::{Calibration, PartGain, ScoredLink};
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
    /// For unaligned sentences: what joining them to an adjacent link does to its similarity.
    pub neighbour_gains: &'a [NeighbourGain],
}

/// Joining unaligned sentence `index` to the adjacent link `link` changes that link's similarity
/// by `gain_z` (the joined texts embedded as one).
#[derive(Debug, Clone)]
pub struct NeighbourGain {
    pub is_source: bool,
    pub index: usize,
    pub link: usize,
    pub gain_z: f32,
}

/// Long enough that losing it loses content, not just a byline or a "Yes.".
fn substantial(s: &Sentence, cjk: bool) -> bool {
    if cjk {
        s.text.chars().filter(|c| c.is_alphanumeric()).count() >= 8
    } else {
        s.text.split_whitespace().count() >= 4
    }
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
    let (s, t) = (&ctx.src[src.clone()], &ctx.tgt[tgt.clone()]);
    Finding::new(kind, severity, (src, s), (tgt, t), message, evidence)
}

fn round(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

/// Runs every semantic check over the alignment.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let outlier_z = outlier_threshold(ctx.links);
    for l in ctx.links {
        let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
        match (src.len(), tgt.len()) {
            (0, 0) => {}
            (_, 0) => out.push(unaligned(ctx, src, true)),
            (0, _) => out.push(unaligned(ctx, tgt, false)),
            _ => {
                // A merged link can be both a poor match and hide an absorbed sentence.
                out.extend(mistranslation(ctx, l, outlier_z));
                out.extend(swallowed(ctx, l));
            }
        }
    }
    out
}

/// A 1-0 or 0-1 link. Downgraded to a warning when the sentence is short, or when adding it to a
/// neighbouring link raises that link's similarity: then it is probably part of a translation that
/// splits or joins sentences, not lost or invented content.
fn unaligned(ctx: &Context, r: Range<usize>, is_source: bool) -> Finding {
    let i = r.start;
    let (sentences, cjk) = if is_source {
        (ctx.src, ctx.src_cjk)
    } else {
        (ctx.tgt, ctx.tgt_cjk)
    };
    let neighbour_gain = neighbour_gain(ctx, i, is_source);
    let belongs = neighbour_gain.filter(|(_, g)| *g >= ctx.cal.absorbed_gain);
    let severity = if belongs.is_some() || !substantial(&sentences[i], cjk) {
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
    if let Some((k, _)) = belongs {
        let l = &ctx.links[k].link;
        let with = if is_source { &l.target } else { &l.source };
        message.push_str(&format!(
            "; it may be rendered together with {other} {}",
            describe(with)
        ));
    }
    let best = if is_source {
        ctx.sim.best_for_source(i)
    } else {
        ctx.sim.best_for_target(i)
    };
    let evidence = json!({
        "best_match": best.map(|(j, _)| j),
        "best_z": best.map(|(_, z)| round(z)),
        "neighbour_gain_z": neighbour_gain.map(|(_, g)| round(g)),
    });
    if is_source {
        finding(ctx, Kind::Omission, severity, r, 0..0, message, evidence)
    } else {
        finding(ctx, Kind::Addition, severity, 0..0, r, message, evidence)
    }
}

/// The best similarity gain (z units) from joining unaligned sentence `i` to an adjacent aligned
/// link, with that link's index.
fn neighbour_gain(ctx: &Context, i: usize, is_source: bool) -> Option<(usize, f32)> {
    ctx.neighbour_gains
        .iter()
        .filter(|g| g.is_source == is_source && g.index == i)
        .map(|g| (g.link, g.gain_z))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Links with z under this are outliers within their own document: 3 robust standard deviations
/// below the median 1-1 link. Needs enough links to say what is typical.
fn outlier_threshold(links: &[ScoredLink]) -> Option<f32> {
    let mut zs: Vec<f32> = links
        .iter()
        .filter(|l| l.link.kind() == (1, 1))
        .map(|l| l.z)
        .collect();
    if zs.len() < 8 {
        return None;
    }
    zs.sort_by(f32::total_cmp);
    let med = zs[zs.len() / 2];
    let mut dev: Vec<f32> = zs.iter().map(|z| (z - med).abs()).collect();
    dev.sort_by(f32::total_cmp);
    Some(med - 3.0 * 1.4826 * dev[dev.len() / 2])
}

/// A link whose margin is far below what true translations get (error or warning), or far below
/// the other links of its document (warning: an opposite claim in the same words moves a sentence
/// embedding little, but it still stands out against a document of faithful links).
///
/// With the model's reference distributions, a similarity below every translation of the
/// reference (by a margin) and inside its injected mistranslations is one whatever its z: an error when the
/// language pair was measured, a warning when only the pooled distributions speak for it (a pair
/// whose translations the model scores lower across the board would otherwise fail wholesale).
fn mistranslation(ctx: &Context, l: &ScoredLink, outlier_z: Option<f32>) -> Option<Finding> {
    let outlier = outlier_z.is_some_and(|t| l.z < t && l.z < ctx.cal.outlier_max_z);
    let poor = l.reference.filter(|j| j.poor);
    let by_z = if l.z < ctx.cal.mistranslation_error_z {
        Some(Severity::Error)
    } else if l.z < ctx.cal.mistranslation_warning_z || outlier {
        Some(Severity::Warning)
    } else {
        None
    };
    let by_reference = poor.map(|j| {
        if j.own_lang {
            Severity::Error
        } else {
            Severity::Warning
        }
    });
    let severity = by_z.max(by_reference)?;
    let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
    let mut message = format!(
        "source {} and target {} do not say the same thing (score {:.0}/100, similarity {:.3})",
        describe(&src),
        describe(&tgt),
        l.score,
        l.similarity
    );
    if let Some(j) = poor.filter(|_| by_reference > by_z) {
        message.push_str(&format!(
            "; under {:.3}, below every translation in this model's reference",
            j.floor
        ));
    }
    Some(finding(
        ctx,
        Kind::Mistranslation,
        severity,
        src,
        tgt,
        message,
        json!({
            "similarity": round(l.similarity),
            "z": round(l.z),
            "score": l.score,
            "document_outlier_below_z": outlier_z.map(round),
            "reference_clean_percentile": l.reference.map(|j| (j.clean_percentile * 1e4).round() / 1e4),
            "reference_error_percentile": l.reference.map(|j| (j.error_percentile * 1e4).round() / 1e4),
            "reference_floor": l.reference.map(|j| round(j.floor)),
        }),
    ))
}

fn describe(r: &Range<usize>) -> String {
    if r.len() == 1 {
        format!("sentence {}", r.start + 1)
    } else {
        format!("sentences {}-{}", r.start + 1, r.end)
    }
}

/// In a merged link (2-1, 1-2, …) an end sentence that lowers the link's similarity and does not
/// resemble the other side on its own was probably absorbed, not translated. Only a warning: the
/// aligner merges only when the merged text scores higher, so on the development set these were
/// mostly legitimate splits.
fn swallowed(ctx: &Context, l: &ScoredLink) -> Vec<Finding> {
    let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
    let mut out = Vec::new();
    // A part that clearly lowers the link's similarity is suspect even if it resembles the other
    // side on its own (a near-duplicate neighbour); a milder drop needs it to be unrelated too.
    let suspect = |p: &&PartGain| {
        p.gain_z < 1.5 * ctx.cal.min_merge_gain
            || (p.gain_z < ctx.cal.min_merge_gain && p.alone_z < ctx.cal.mistranslation_warning_z)
    };
    for p in l.parts.iter().filter(suspect) {
        let part = p.index..p.index + 1;
        let evidence = json!({
            "merged_link": {"source": src.clone().collect::<Vec<_>>(), "target": tgt.clone().collect::<Vec<_>>()},
            "gain_z": round(p.gain_z),
            "alone_z": round(p.alone_z),
            "similarity": round(l.similarity),
        });
        out.push(if p.is_source {
            let message = format!("source {} may not be rendered: the target it is aligned with matches its neighbour better without it", describe(&part));
            finding(ctx, Kind::Omission, Severity::Warning, part, tgt.clone(), message, evidence)
        } else {
            let message = format!("target {} may have no source: the source it is aligned with matches its neighbour better without it", describe(&part));
            finding(ctx, Kind::Addition, Severity::Warning, src.clone(), part, message, evidence)
        });
    }
    out
}
