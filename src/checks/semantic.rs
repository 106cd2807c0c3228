//! Semantic checks from the alignment: omitted source sentences, added target sentences, aligned
//! pairs that do not say the same thing, and sentences swallowed by a neighbour's merged link.

use std::ops::Range;

use serde_json::json;

use super::util::describe;
use super::{Finding, Kind, Severity};
use crate::score::{ScoredLink, Thresholds};
use crate::similarity::PartGain;
use crate::similarity::SimilarityModel;
use crate::text::Sentence;
use crate::wordalign::{AlignedWord, WordAlignment};

/// What the semantic checks look at.
pub struct Context<'a> {
    pub src: &'a [Sentence],
    pub tgt: &'a [Sentence],
    pub links: &'a [ScoredLink],
    pub sim: &'a SimilarityModel,
    pub thresholds: &'a Thresholds,
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
/// At most this many words per side are pointed at: the ones least like anything opposite.
const MAX_POINTED: usize = 5;

/// Points a mistranslation finding at the words of its link that have no partner on the other
/// side (the word alignment's view of what does not correspond), weakest first.
pub fn point_at_unpartnered(pair: &super::PairContext, words: &WordAlignment, f: &mut Finding) {
    let pick = |side: &[AlignedWord]| {
        let mut alone: Vec<&AlignedWord> = side
            .iter()
            .filter(|w| w.partners.is_empty() && w.is_content())
            .collect();
        alone.sort_by(|a, b| a.confidence.total_cmp(&b.confidence));
        alone.truncate(MAX_POINTED);
        alone.sort_by_key(|w| w.start);
        alone
            .into_iter()
            .map(|w| w.start..w.end)
            .collect::<Vec<_>>()
    };
    f.source_spans = pick(&words.source)
        .into_iter()
        .map(|r| pair.src_span(r))
        .collect();
    f.target_spans = pick(&words.target)
        .into_iter()
        .map(|r| pair.tgt_span(r))
        .collect();
    if let Some(obj) = f.evidence.as_object_mut() {
        obj.insert("aligned_share".into(), json!(words.aligned_share()));
    }
}

pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let outlier_z = outlier_threshold(ctx.links);
    let pairing = reliable_gaps(ctx);
    // Unaligned sentences since the last aligned link: (finding, sentence index, neighbour gain).
    let mut run_src: Vec<Unaligned> = Vec::new();
    let mut run_tgt: Vec<Unaligned> = Vec::new();
    for l in ctx.links {
        let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
        match (src.len(), tgt.len()) {
            (0, 0) => {}
            (_, 0) => {
                let (f, gain) = unaligned(ctx, src.clone(), true);
                run_src.push((f, src.start, gain));
            }
            (0, _) => {
                let (f, gain) = unaligned(ctx, tgt.clone(), false);
                run_tgt.push((f, tgt.start, gain));
            }
            _ => {
                out.extend(replaced(ctx, pairing, &mut run_src, &mut run_tgt));
                // A merged link can be both a poor match and hide an absorbed sentence.
                out.extend(mistranslation(ctx, l, outlier_z));
                out.extend(swallowed(ctx, l));
            }
        }
    }
    out.extend(replaced(ctx, pairing, &mut run_src, &mut run_tgt));
    out
}

/// Whether lone sentences can be paired as replacements: only where few sentences are unaligned
/// (at most one in ten). Where many are, the translation splits and joins sentences throughout
/// (Qur'an verses on the development set), a lone sentence beside another is not its
/// replacement, and pairing them hid real omissions.
fn reliable_gaps(ctx: &Context) -> bool {
    let lone: usize = ctx
        .links
        .iter()
        .filter(|l| l.link.source.is_empty() || l.link.target.is_empty())
        .map(|l| l.link.source.len() + l.link.target.len())
        .sum();
    lone * 10 <= ctx.src.len() + ctx.tgt.len()
}

/// The error for source sentence `i` replaced by target sentence `j`.
fn replacement(
    ctx: &Context,
    i: usize,
    j: usize,
    source_evidence: serde_json::Value,
    target_evidence: serde_json::Value,
) -> Finding {
    let cos = ctx.sim.cos1(i, j);
    let z = ctx.sim.z(cos, &(i..i + 1), &(j..j + 1));
    let message = format!(
        "target sentence {} (line {}) says something other than source sentence {} (line {}), \
         which it stands in place of (similarity {:.3})",
        j + 1,
        ctx.tgt[j].line,
        i + 1,
        ctx.src[i].line,
        cos
    );
    finding(
        ctx,
        Kind::Mistranslation,
        Severity::Error,
        i..i + 1,
        j..j + 1,
        message,
        json!({
            "replaced": true,
            "similarity": round(cos),
            "z": round(z),
            "source_evidence": source_evidence,
            "target_evidence": target_evidence,
        }),
    )
}

/// An unaligned sentence's finding, its index, and its best gain from joining a neighbour.
type Unaligned = (Finding, usize, Option<f32>);

/// Joining a sentence to a neighbouring link raises that link's similarity by at least this (z
/// units): the sentence is part of a translation that splits or joins sentences.
const SPLIT_GAIN: f32 = 0.0;

/// The unaligned sentences between two aligned links (or a document's end), taken from the runs:
/// a source sentence and a target sentence left unaligned between the same neighbours are one
/// error, a replaced sentence ("target sentence N says something other than source sentence
/// M"), paired in order; what has no partner stays an omission or an addition. A pair is left
/// as it was when both sentences raise a neighbouring link's similarity (a translation that
/// splits and joins sentences differently) or either is too short to carry content, and nothing
/// is paired without `pairing` (`reliable_gaps`).
fn replaced(
    ctx: &Context,
    pairing: bool,
    run_src: &mut Vec<Unaligned>,
    run_tgt: &mut Vec<Unaligned>,
) -> Vec<Finding> {
    let n = if pairing {
        run_src.len().min(run_tgt.len())
    } else {
        0
    };
    let mut out = Vec::new();
    // A replaced sentence next to a faithful one often "belongs" to it by `absorbed_gain`,
    // which is loose (negative); a split translation really raises the neighbour's similarity.
    let joins = |gain: Option<f32>| gain.is_some_and(|g| g >= SPLIT_GAIN);
    for ((fs, i, gain_s), (ft, j, gain_t)) in run_src.drain(..n).zip(run_tgt.drain(..n)) {
        let short =
            !substantial(&ctx.src[i], ctx.src_cjk) || !substantial(&ctx.tgt[j], ctx.tgt_cjk);
        if short || (joins(gain_s) && joins(gain_t)) {
            // Doubtful as a replacement: the omission and the addition stay as they were, so
            // an omitted sentence beside a split translation is still reported as omitted.
            out.extend([fs, ft]);
            continue;
        }
        out.push(replacement(ctx, i, j, fs.evidence, ft.evidence));
    }
    out.extend(run_src.drain(..).map(|(f, ..)| f));
    out.extend(run_tgt.drain(..).map(|(f, ..)| f));
    out
}

/// A 1-0 or 0-1 link. Downgraded to a warning when the sentence is short, or when adding it to a
/// neighbouring link raises that link's similarity: then it is probably part of a translation that
/// splits or joins sentences, not lost or invented content.
/// Also returns the sentence's best gain from joining a neighbouring link (`neighbour_gain`).
fn unaligned(ctx: &Context, r: Range<usize>, is_source: bool) -> (Finding, Option<f32>) {
    let i = r.start;
    let (sentences, cjk) = if is_source {
        (ctx.src, ctx.src_cjk)
    } else {
        (ctx.tgt, ctx.tgt_cjk)
    };
    let neighbour_gain = neighbour_gain(ctx, i, is_source);
    let belongs = neighbour_gain.filter(|(_, g)| *g >= ctx.thresholds.absorbed_gain);
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
    let f = if is_source {
        finding(ctx, Kind::Omission, severity, r, 0..0, message, evidence)
    } else {
        finding(ctx, Kind::Addition, severity, 0..0, r, message, evidence)
    };
    (f, neighbour_gain.map(|(_, g)| g))
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
/// language pair was measured and the link does not look typical of a document long enough to
/// tell (z under `reference_error_max_z`: "All the issues are tracked in the BTS." rendered freely scores low
/// on absolute similarity but as well as its neighbours), a warning when only the pooled distributions speak for it (a pair
/// whose translations the model scores lower across the board would otherwise fail wholesale).
fn mistranslation(ctx: &Context, l: &ScoredLink, outlier_z: Option<f32>) -> Option<Finding> {
    let outlier = outlier_z.is_some_and(|t| l.z < t && l.z < ctx.thresholds.outlier_max_z);
    let poor = l.reference.filter(|j| j.poor);
    let by_z = if l.z < ctx.thresholds.mistranslation_error_z {
        Some(Severity::Error)
    } else if l.z < ctx.thresholds.mistranslation_warning_z || outlier {
        Some(Severity::Warning)
    } else {
        None
    };
    // Only a document with enough links to say what is typical (`outlier_z`) can vouch for one.
    let typical = outlier_z.is_some() && l.z >= ctx.thresholds.reference_error_max_z;
    let by_reference = poor.map(|j| {
        if j.own_lang && !typical {
            Severity::Error
        } else {
            Severity::Warning
        }
    });
    let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
    // A sentence embedding says little about one to three words ("Aborted" → "中止", "Killed" →
    // "Уничтожение"): similarity alone does not make such a pair an error.
    let short = |r: &Range<usize>, sentences: &[Sentence], cjk: bool| {
        r.len() == 1 && !substantial(&sentences[r.start], cjk)
    };
    let severity = by_z.max(by_reference)?;
    let severity = if short(&src, ctx.src, ctx.src_cjk) && short(&tgt, ctx.tgt, ctx.tgt_cjk) {
        severity.min(Severity::Warning)
    } else {
        severity
    };
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

/// A part of a merged link that does not raise its similarity and is unrelated to the other side
/// on its own (z under this) was absorbed: an omitted sentence next to a faithful one.
const UNRELATED_PART_Z: f32 = 0.0;
/// ... when its gain (z units) is under this.
const UNRELATED_PART_MAX_GAIN: f32 = 0.3;
/// A merged link whose length ratio strays by more than this (|ln|) from the document's, and fits
/// it (within `LENGTH_FIT`) without one end sentence that adds nothing to its similarity, has
/// probably lost that sentence: the other side renders only the rest.
const LENGTH_OFF: f32 = 0.45;
const LENGTH_FIT: f32 = 0.2;

/// In a merged link (2-1, 1-2, …) an end sentence that lowers the link's similarity and does not
/// resemble the other side on its own, or without which the link's length fits the document, was
/// probably absorbed, not translated. Only a warning: the aligner merges only when the merged text
/// scores higher, so on the development set these were mostly legitimate splits.
fn swallowed(ctx: &Context, l: &ScoredLink) -> Vec<Finding> {
    let (src, tgt) = (l.link.source.clone(), l.link.target.clone());
    let mut out = Vec::new();
    // A part that clearly lowers the link's similarity is suspect even if it resembles the other
    // side on its own (a near-duplicate neighbour); a milder drop needs it to be unrelated too.
    let suspect = |p: &PartGain| {
        p.gain_z < 1.5 * ctx.thresholds.min_merge_gain
            || (p.gain_z < ctx.thresholds.min_merge_gain
                && p.alone_z < ctx.thresholds.mistranslation_warning_z)
            || (p.gain_z < UNRELATED_PART_MAX_GAIN && p.alone_z < UNRELATED_PART_Z)
    };
    let full = ctx.sim.length_ratio(&src, &tgt).ln();
    let without = |p: &PartGain| {
        let rest = |r: &Range<usize>| {
            if p.index == r.start {
                r.start + 1..r.end
            } else {
                r.start..r.end - 1
            }
        };
        let (s, t) = if p.is_source {
            (rest(&src), tgt.clone())
        } else {
            (src.clone(), rest(&tgt))
        };
        ctx.sim.length_ratio(&s, &t).ln()
    };
    // The part whose side is too long: source parts when the target is short, and vice versa.
    let too_long = |p: &PartGain| if p.is_source { -full } else { full } > LENGTH_OFF;
    let by_length = l
        .parts
        .iter()
        .filter(|p| !suspect(p) && p.gain_z < 0.0 && too_long(p) && without(p).abs() < LENGTH_FIT)
        .min_by(|a, b| a.gain_z.total_cmp(&b.gain_z));
    let flagged = l.parts.iter().filter(|p| suspect(p)).map(|p| (p, false));
    for (p, length) in flagged.chain(by_length.map(|p| (p, true))) {
        let part = p.index..p.index + 1;
        let (side, other) = if p.is_source {
            ("target", full.exp())
        } else {
            ("source", (-full).exp())
        };
        let why = if length {
            let percent = 100.0 * other;
            format!("the {side} it is aligned with is {percent:.0}% of the expected length, which fits without it")
        } else {
            format!("the {side} it is aligned with matches its neighbour better without it")
        };
        let evidence = json!({
            "merged_link": {"source": src.clone().collect::<Vec<_>>(), "target": tgt.clone().collect::<Vec<_>>()},
            "gain_z": round(p.gain_z),
            "alone_z": round(p.alone_z),
            "similarity": round(l.similarity),
            "length_ratio": round(full.exp()),
            "length_ratio_without": round(without(p).exp()),
        });
        out.push(if p.is_source {
            let message = format!("source {} may not be rendered: {why}", describe(&part));
            finding(
                ctx,
                Kind::Omission,
                Severity::Warning,
                part,
                tgt.clone(),
                message,
                evidence,
            )
        } else {
            let message = format!("target {} may have no source: {why}", describe(&part));
            finding(
                ctx,
                Kind::Addition,
                Severity::Warning,
                src.clone(),
                part,
                message,
                evidence,
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Link;
    use crate::reference::Judgement;

    #[test]
    fn a_mistranslation_points_at_the_longer_words_without_a_partner_weakest_first() {
        let word = |text: &str, start: usize, partners: Vec<usize>, confidence: f32| AlignedWord {
            text: text.into(),
            start,
            end: start + text.len(),
            partners,
            confidence,
        };
        let s = [crate::checks::testing::sentence("a sign of desperation")];
        let t = [crate::checks::testing::sentence("ein Zeichen der Stärke")];
        let pair = crate::checks::testing::pair(&s, "en", &t, "de", 2.0);
        let wa = WordAlignment {
            source: vec![
                word("a", 0, vec![], 0.2),
                word("sign", 2, vec![1], 0.8),
                word("of", 7, vec![2], 0.7),
                word("desperation", 10, vec![], 0.45),
            ],
            target: vec![
                word("ein", 0, vec![], 0.3),
                word("Zeichen", 4, vec![1], 0.8),
                word("der", 12, vec![2], 0.7),
                word("Stärke", 16, vec![], 0.45),
            ],
        };
        let mut f = pair.finding(
            Kind::Mistranslation,
            Severity::Warning,
            "x".into(),
            json!({}),
        );
        point_at_unpartnered(&pair, &wa, &mut f);
        let texts =
            |v: &[crate::finding::Span]| v.iter().map(|s| s.text.clone()).collect::<Vec<_>>();
        // "a" is too short to point at; "ein" has three letters and no partner.
        assert_eq!(texts(&f.source_spans), ["desperation"]);
        assert_eq!(texts(&f.target_spans), ["ein", "Stärke"]);
    }

    fn sentences(texts: &[&str]) -> Vec<Sentence> {
        texts
            .iter()
            .enumerate()
            .map(|(k, t)| Sentence {
                text: t.to_string(),
                start: 0,
                end: t.len(),
                line: k + 1,
                paragraph: 0,
            })
            .collect()
    }

    fn link(source: Range<usize>, target: Range<usize>, z: f32) -> ScoredLink {
        ScoredLink {
            link: Link { source, target },
            similarity: 0.85,
            z,
            score: 50.0,
            parts: Vec::new(),
            reference: None,
        }
    }

    /// An `n × m` document whose diagonal matches (cosine 0.9) over a background of about 0.7.
    /// Every sentence is 100 characters long unless `src_len` says otherwise.
    fn model(n: usize, m: usize, src_len: &[f32]) -> SimilarityModel {
        let mut cos = vec![0.7; n * m];
        for (k, c) in cos.iter_mut().enumerate() {
            if k / m == k % m {
                *c = 0.9;
            }
            *c += 0.02 * ((k * 7919) % 13) as f32 / 13.0; // a spread to measure z against
        }
        let src_len: Vec<f32> = (0..n)
            .map(|i| src_len.get(i).copied().unwrap_or(100.0))
            .collect();
        SimilarityModel::from_cosines(
            n,
            m,
            cos,
            &vec![20; n],
            &vec![20; m],
            &src_len,
            &vec![100.0; m],
        )
    }

    fn run_on(
        src: &[Sentence],
        tgt: &[Sentence],
        links: &[ScoredLink],
        sim: &SimilarityModel,
        gains: &[NeighbourGain],
    ) -> Vec<Finding> {
        let thresholds = Thresholds::default();
        run(&Context {
            src,
            tgt,
            links,
            sim,
            thresholds: &thresholds,
            src_cjk: false,
            tgt_cjk: false,
            neighbour_gains: gains,
        })
    }

    #[test]
    fn a_reference_mistranslation_typical_of_its_document_is_only_a_warning() {
        // "All the issues are tracked in the BTS." → "All diese Korrekturen sind in der
        // Fehlerdatenbank festgehalten." sat under the reference's floor at z 2.2 in a document
        // of faithful links, and failed a clean pair.
        let src = sentences(&["All the issues are tracked in the BTS."; 10]);
        let tgt =
            sentences(&["All diese Korrekturen sind in der Fehlerdatenbank festgehalten."; 10]);
        let judged = |n: usize, z: f32| {
            let sim = model(n, n, &[]);
            let mut links: Vec<_> = (0..n).map(|i| link(i..i + 1, i..i + 1, 2.4)).collect();
            links[0].z = z;
            links[0].reference = Some(Judgement {
                clean_percentile: 0.0,
                error_percentile: 0.57,
                score: 10.0,
                poor: true,
                floor: 0.847,
                own_lang: true,
            });
            let f = run_on(&src[..n], &tgt[..n], &links, &sim, &[]);
            assert_eq!(f.len(), 1, "{f:?}");
            f[0].severity
        };
        assert_eq!(judged(10, 2.2), Severity::Warning);
        assert_eq!(judged(10, 1.2), Severity::Error);
        // A one-sentence document has no typical link: the reference alone decides.
        assert_eq!(judged(1, 80.0), Severity::Error);
    }

    #[test]
    fn a_merged_source_sentence_the_short_target_leaves_out_is_an_omission() {
        // "Education shall be directed to …" was merged with the next sentence into one link
        // whose target renders only that next sentence: the target is half the expected length.
        let src = sentences(&["Alpha beta gamma delta."; 8]);
        let tgt = sentences(&["Alpha beta gamma delta."; 7]);
        let mut links = vec![link(0..2, 0..1, 2.5)];
        links.extend((2..8).map(|i| link(i..i + 1, i - 1..i, 3.0)));
        links[0].parts = vec![
            PartGain {
                is_source: true,
                index: 0,
                gain_z: -0.3,
                alone_z: 1.6,
            },
            PartGain {
                is_source: true,
                index: 1,
                gain_z: 0.9,
                alone_z: 2.8,
            },
        ];
        let omissions = |sim: &SimilarityModel| {
            run_on(&src, &tgt, &links, sim, &[])
                .into_iter()
                .filter(|f| f.kind == Kind::Omission)
                .collect::<Vec<_>>()
        };
        let f = omissions(&model(8, 7, &[]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].source, vec![0]);
        assert!(
            f[0].message.contains("57% of the expected length"),
            "{}",
            f[0].message
        );
        // A legitimate join: the target is as long as both source sentences.
        assert!(omissions(&model(8, 7, &[50.0, 50.0])).is_empty());
    }
    #[test]
    fn gettext_short_messages_are_not_mistranslation_errors_by_similarity_alone() {
        // "Memory exhausted" → "Speicher ausgeschöpft" scored low and was an error.
        let long_src = sentences(&["The archive could not be written to the disk."; 3]);
        let long_tgt =
            sentences(&["Das Archiv konnte nicht auf die Platte geschrieben werden."; 3]);
        let short_src = sentences(&["Memory exhausted"; 3]);
        let short_tgt = sentences(&["Speicher ausgeschöpft"; 3]);
        let sim = model(3, 3, &[]);
        let mut links: Vec<_> = (0..3).map(|i| link(i..i + 1, i..i + 1, 2.4)).collect();
        links[1].z = -3.0;
        let severity = |src: &[Sentence], tgt: &[Sentence]| {
            let f = run_on(src, tgt, &links, &sim, &[]);
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].kind, Kind::Mistranslation);
            f[0].severity
        };
        assert_eq!(severity(&long_src, &long_tgt), Severity::Error);
        assert_eq!(severity(&short_src, &short_tgt), Severity::Warning);
        // A short source against a long target is still judged in full.
        assert_eq!(severity(&short_src, &long_tgt), Severity::Error);
    }

    #[test]
    fn a_replaced_sentence_is_one_mistranslation_not_an_omission_and_an_addition() {
        // Held-out articles: a sentence swapped for another of the same chapter was reported as
        // an omission plus an addition at the same place.
        let src = sentences(&["The council approved the new budget on Monday evening."; 12]);
        let tgt = sentences(&["Der Rat hat am Montagabend den neuen Haushalt gebilligt."; 12]);
        let sim = model(12, 12, &[]);
        let mut links: Vec<_> = (0..2).map(|i| link(i..i + 1, i..i + 1, 2.5)).collect();
        links.extend([link(2..3, 2..2, 0.0), link(3..3, 2..3, 0.0)]);
        links.extend((3..12).map(|i| link(i..i + 1, i..i + 1, 2.5)));
        let f = run_on(&src, &tgt, &links, &sim, &[]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::Mistranslation);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(
            (f[0].source.clone(), f[0].target.clone()),
            (vec![2], vec![2])
        );
        assert_eq!(f[0].evidence["replaced"], true);
        assert!(
            f[0].message.starts_with(
                "target sentence 3 (line 3) says something other than source sentence 3"
            ),
            "{}",
            f[0].message
        );
        // Unaligned on one side only: an omission, not a replacement.
        let mut links: Vec<_> = (0..2).map(|i| link(i..i + 1, i..i + 1, 2.5)).collect();
        links.push(link(2..3, 2..2, 0.0));
        links.extend((3..12).map(|i| link(i..i + 1, i - 1..i, 2.5)));
        let f = run_on(&src, &tgt[..11], &links, &model(12, 11, &[]), &[]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::Omission);
    }

    #[test]
    fn lone_sentences_are_not_paired_where_many_are_unaligned() {
        // Qur'an verses split and joined throughout: pairing a lone source verse with a lone
        // target verse beside it hid real omissions on the development set.
        let src = sentences(&["The council approved the new budget on Monday evening."; 4]);
        let tgt = sentences(&["Der Rat hat am Montagabend den neuen Haushalt gebilligt."; 4]);
        let links = vec![
            link(0..1, 0..1, 2.5),
            link(1..2, 1..1, 0.0),
            link(2..2, 1..2, 0.0),
            link(2..3, 2..3, 2.5),
            link(3..4, 3..4, 2.5),
        ];
        let f = run_on(&src[..4], &tgt[..4], &links, &model(4, 4, &[]), &[]);
        let kinds: Vec<Kind> = f.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [Kind::Omission, Kind::Addition], "{f:?}");
    }
}
