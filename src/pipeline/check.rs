//! Checking one pair that has been read: embed → align → score → checks → report. Segmented
//! files keep their own links; running text in them is also aligned as a whole.

use std::path::Path;
use std::time::Instant;

use crate::align::{self, Link};
use crate::checks::{self, unfinished};
use crate::error::{Error, Result};
use crate::finding::{Finding, Kind, Severity};
use crate::formats::{self, Verbatim};
use crate::model::{DeviceKind, Embedder, Embeddings, ModelInfo, TokenStates};
use crate::qe;
use crate::reference::{lang_key, LoadedReference, Reference};
use crate::report::{
    Alignment, DenseUsed, Device, DocumentInfo, MergedPart, ModelUsed, QualityEstimateUsed,
    ReferenceUsed, Report, SentenceOut, SentenceSettingsUsed, Timing, REPORT_VERSION,
};
use crate::score::{self, ScoredLink, Thresholds};
use crate::similarity::SimilarityModel;
use crate::text::{lang, weighted_len};
use crate::util::vector::{dot, mean};
use crate::wordalign::{self, Method, WordAlignment, Words};

use super::config::{Settings, Sources};
use super::input::{check_size, Document, Input, SegmentedPair};

/// Settings of one check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// BCP 47 codes; detected from the text when `None`.
    pub src_lang: Option<String>,
    pub tgt_lang: Option<String>,
    /// Documents scoring under this fail.
    pub min_score: f64,
    pub max_input_bytes: u64,
    /// Score and severity thresholds on the z-scaled margin.
    pub thresholds: Thresholds,
    /// The model's reference distributions; `None`: scores are relative to the document alone.
    pub reference: Option<LoadedReference>,
    pub align: align::Params,
    /// Disabled finding kinds and severity changes.
    pub rules: checks::rules::Rules,
    /// Do-not-translate terms (see `checks::glossary`).
    pub glossary: Vec<String>,
    /// Regular expressions: findings whose source or target text matches one are dropped.
    pub ignore: Vec<String>,
    /// Documents with more sentences (or segments) than this are refused: the similarity
    /// matrix holds both sides' product.
    pub max_sentences: usize,
    /// Put every link's word alignment in the report (`--details`).
    pub details: bool,
    /// The learned quality estimate's weights for this model, or why there are none
    /// (`qe::Estimator::find`).
    pub qe: crate::qe::Weights,
}

/// Default `--max-sentences`: 8,000 × 8,000 cosines are 256 MB; articles have tens of sentences,
/// catalogues a few thousand segments.
pub const DEFAULT_MAX_SENTENCES: usize = 8_000;

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            src_lang: None,
            tgt_lang: None,
            min_score: 60.0,
            max_input_bytes: formats::DEFAULT_MAX_INPUT_BYTES,
            thresholds: Thresholds::default(),
            reference: None,
            align: align::Params::default(),
            rules: checks::rules::Rules::default(),
            glossary: Vec::new(),
            ignore: Vec::new(),
            max_sentences: DEFAULT_MAX_SENTENCES,
            details: false,
            qe: qe::Weights::default(),
        }
    }
}

/// Limits every check of a run shares, whatever the language pair.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Larger inputs are refused before any work (`--max-input-bytes`).
    pub max_input_bytes: u64,
    /// Documents with more sentences are refused before the model runs (`--max-sentences`).
    pub max_sentences: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: formats::DEFAULT_MAX_INPUT_BYTES,
            max_sentences: DEFAULT_MAX_SENTENCES,
        }
    }
}

/// A pair read, with the settings of its language pair: what `check` and every `batch` job run.
pub struct Prepared {
    pub input: Input,
    pub settings: Settings,
    pub opts: CheckOptions,
}

/// Reads a pair and resolves its settings (the config file's section for its languages, which
/// may have been detected). Reading comes first, so that a bad file fails before a model loads.
pub fn prepare(
    sources: &Sources,
    source: &Path,
    target: Option<&Path>,
    (src_lang, tgt_lang): (Option<&str>, Option<&str>),
    limits: &Limits,
) -> Result<Prepared> {
    let input = Input::read(source, target, src_lang, tgt_lang, limits.max_input_bytes)?;
    let (s, t) = input.documents();
    let settings = sources.resolve(Some((&s.lang, &t.lang)))?;
    let opts = CheckOptions {
        max_sentences: limits.max_sentences,
        src_lang: src_lang.map(str::to_string),
        tgt_lang: tgt_lang.map(str::to_string),
        min_score: settings.min_score,
        max_input_bytes: limits.max_input_bytes,
        rules: settings.rules.clone(),
        glossary: settings.glossary.clone(),
        ignore: settings.ignore.clone(),
        ..CheckOptions::default()
    };
    Ok(Prepared {
        input,
        settings,
        opts,
    })
}

/// The reference distributions a check with this model uses: `explicit` (`--calibration
/// FILE`, read before the model loads so a bad file fails fast), else the model folder's own
/// file, else the built-in one of a known model. `None`: scores are document-relative.
pub fn find_reference(
    embedder: &Embedder,
    explicit: Option<LoadedReference>,
) -> Result<Option<LoadedReference>> {
    match explicit {
        Some(r) => Ok(Some(r)),
        None => Reference::find(None, embedder.dir(), &embedder.info.id),
    }
}

/// What checks a pair that has been read. The model-backed pipeline (`Embedder`) is the real
/// one; tests of `batch` substitute their own.
pub trait PairChecker: Sync {
    fn check(&self, input: &Input, opts: &CheckOptions) -> Result<Report>;
}

impl PairChecker for Embedder {
    fn check(&self, input: &Input, opts: &CheckOptions) -> Result<Report> {
        check_input(self, input, opts)
    }
}

/// Checks `tgt` against `src` with a loaded model.
pub fn check_documents(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    opts: &CheckOptions,
) -> Result<Report> {
    check_documents_with_similarities(embedder, src, tgt, opts).map(|(r, _)| r)
}

/// `check_documents`, also returning the pair's similarities (for `calibrate`, which needs the
/// cosines of sentences the alignment did not link).
pub fn check_documents_with_similarities(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    opts: &CheckOptions,
) -> Result<(Report, SimilarityModel)> {
    check_linked_with_similarities(
        embedder,
        (src, tgt),
        opts,
        None,
        document_notes(src, tgt),
        &mut Known::default(),
        Pass::Full,
    )
}

/// What the readers noticed about the files (a DOCX with comments or tracked changes) as notes
/// about the whole document: the text checked may not be the final one.
fn document_notes(src: &Document, tgt: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    for (side, d) in [("source", src), ("target", tgt)] {
        for note in &d.notes {
            out.push(Finding::new(
                Kind::Unfinished,
                Severity::Info,
                (0..0, &[]),
                (0..0, &[]),
                format!("the {side} {} {note}", d.path.display()),
                serde_json::json!({"file": d.path.display().to_string(), "note": note}),
            ));
        }
    }
    out
}

/// Checks what `Input::read` read.
pub fn check_input(embedder: &Embedder, input: &Input, opts: &CheckOptions) -> Result<Report> {
    match input {
        Input::Documents(s, t) => check_documents(embedder, s, t, opts),
        Input::Segments(p) => check_segments(embedder, p, opts),
    }
}

/// Checks a segmented file (XLIFF, TMX, PO, TSV, JSONL): each translated segment is a link of its
/// own; the file's own findings (missing or unfinished translations) join the checks' findings.
pub fn check_segments(
    embedder: &Embedder,
    pair: &SegmentedPair,
    opts: &CheckOptions,
) -> Result<Report> {
    // The whole-document pass embeds the same sentences again: it takes the first pass's vectors.
    let mut known = Known::default();
    let mut report = check_linked(
        embedder,
        (&pair.src, &pair.tgt),
        opts,
        Some(&pair.links),
        pair.findings.clone(),
        &mut known,
        Pass::Full,
    )?;
    if is_running_text(&pair.all_src) {
        let whole = check_linked(
            embedder,
            (&pair.all_src, &pair.tgt),
            opts,
            None,
            Vec::new(),
            &mut known,
            Pass::Alignment,
        )?;
        merge_whole_document(pair, &mut report, &whole);
        report.counts = Report::count(&report.findings);
        report.verdict = score::verdict(report.score, &report.findings, opts.min_score);
    }
    Ok(report)
}

/// Segments that read as running text (most end a sentence) rather than UI strings: only then
/// can a translator have moved content across segment boundaries.
fn is_running_text(doc: &Document) -> bool {
    let n = doc.sentences.len();
    let ends = doc
        .sentences
        .iter()
        .filter(|s| crate::text::closes_sentence(&s.text))
        .count();
    n >= 3 && ends * 10 >= n * 7
}

/// What aligning the whole document adds to the per-segment check of running text: a segment
/// left empty whose content was translated inside a neighbour's target is reported as merged (info)
/// instead of untranslated; omissions and additions across segments that no per-segment error
/// covers are added.
fn merge_whole_document(pair: &SegmentedPair, report: &mut Report, whole: &Report) {
    for a in &whole.alignments {
        if a.target.is_empty() || a.source.len() < 2 {
            continue;
        }
        let Some(host) = a.source.iter().find_map(|&i| pair.translated[i]) else {
            continue;
        };
        for &i in a.source.iter().filter(|&&i| pair.translated[i].is_none()) {
            let Some(f) = report
                .findings
                .iter_mut()
                .find(|f| unfinished::is_untranslated_segment(f, i))
            else {
                continue;
            };
            let own = pair.all_src.locations.get(i).map_or("", String::as_str);
            let host_location = pair.src.locations.get(host).map_or("", String::as_str);
            unfinished::merged_into(f, own, host_location, &pair.tgt.sentences[host].text);
        }
    }
    let has_error = |src: Option<usize>, tgt: Option<usize>| {
        report.findings.iter().any(|g| {
            g.severity == Severity::Error
                && (src.is_some_and(|i| g.source.contains(&i))
                    || tgt.is_some_and(|j| g.target.contains(&j)))
        })
    };
    let mut added = Vec::new();
    for f in &whole.findings {
        if !matches!(f.kind, Kind::Omission | Kind::Addition) {
            continue;
        }
        // Untranslated segments are already reported as unfinished.
        let src: Vec<usize> = f
            .source
            .iter()
            .filter_map(|&i| pair.translated[i])
            .collect();
        if src.len() < f.source.len() {
            continue;
        }
        if src.iter().any(|&i| has_error(Some(i), None))
            || f.target.iter().any(|&j| has_error(None, Some(j)))
        {
            continue;
        }
        let mut g = f.clone();
        g.source = src;
        g.message = format!("across segments: {}", f.message);
        added.push(g);
    }
    report.findings.extend(added);
}

/// How much of the pipeline a pass runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Every check.
    Full,
    /// The alignment and what it alone finds (unaligned and swallowed sentences, replaced ones):
    /// the whole-document pass over a segment file, whose links the per-segment pass has already
    /// probed word by word. Running the link checks there again doubled their cost and repeated
    /// their findings ("across segments: …" beside the same addition).
    Alignment,
}

/// The pipeline after reading: embed, align (unless `fixed` links are given), check, score.
fn check_linked(
    embedder: &Embedder,
    docs: (&Document, &Document),
    opts: &CheckOptions,
    fixed: Option<&[Link]>,
    extra: Vec<Finding>,
    known: &mut Known,
    pass: Pass,
) -> Result<Report> {
    check_linked_with_similarities(embedder, docs, opts, fixed, extra, known, pass).map(|(r, _)| r)
}

/// Sentence vectors (with whether they were windowed and their token count) already computed
/// within one check, by text.
#[derive(Default)]
struct Known {
    vectors: std::collections::HashMap<String, (Vec<f32>, bool, usize)>,
    /// With `states_layer`: each text's token states at that layer, taken from the embedding
    /// pass (`Embedder::embed_with_spans`) for the word alignment.
    spans: std::collections::HashMap<String, TokenStates>,
    states_layer: Option<usize>,
}

impl Known {
    /// `embedder.embed` for the texts not seen yet; the others come from earlier calls.
    fn embed(&mut self, embedder: &Embedder, texts: &[&str]) -> Result<Embeddings> {
        let mut missing: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !self.vectors.contains_key(*t))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let both = match self.states_layer {
            Some(layer) if !missing.is_empty() => embedder.embed_with_spans(&missing, layer)?,
            _ => None,
        };
        let fresh = if let Some((fresh, states)) = both {
            for (t, st) in missing.iter().zip(states) {
                self.spans.insert(t.to_string(), st);
            }
            fresh
        } else if missing.is_empty() {
            Embeddings::default()
        } else {
            embedder.embed(&missing)?
        };
        let fresh_entries = fresh
            .vectors
            .into_iter()
            .zip(fresh.windowed)
            .zip(fresh.lengths);
        for (t, ((v, w), len)) in missing.iter().zip(fresh_entries) {
            self.vectors.insert(t.to_string(), (v, w, len));
        }
        let mut out = Embeddings {
            tokens: fresh.tokens,
            ..Embeddings::default()
        };
        for t in texts {
            let (v, w, len) = self
                .vectors
                .get(*t)
                .ok_or_else(|| Error::Internal(format!("no vector for {t:?}")))?;
            out.vectors.push(v.clone());
            out.windowed.push(*w);
            out.lengths.push(*len);
        }
        Ok(out)
    }
}

fn check_linked_with_similarities(
    embedder: &Embedder,
    (src, tgt): (&Document, &Document),
    opts: &CheckOptions,
    fixed: Option<&[Link]>,
    extra: Vec<Finding>,
    known: &mut Known,
    pass: Pass,
) -> Result<(Report, SimilarityModel)> {
    check_size([src, tgt], opts.max_sentences)?;
    let start = Instant::now();
    let texts: Vec<&str> = src
        .sentences
        .iter()
        .chain(&tgt.sentences)
        .map(|s| s.text.as_str())
        .collect();
    // The quality estimate aligns the words of every link: their token states can come with
    // the embedding pass instead of a second one.
    known.states_layer = opts
        .qe
        .estimator()
        .filter(|_| pass == Pass::Full)
        .map(|_| wordalign::default_layer(embedder.num_layers()));
    let emb = known.embed(embedder, &texts)?;
    let tokens = &emb.lengths;
    let n = src.sentences.len();
    let (sv, tv) = emb.vectors.split_at(n);
    let lens = |d: &Document| {
        d.sentences
            .iter()
            .map(|s| weighted_len(&s.text))
            .collect::<Vec<_>>()
    };
    let sim = SimilarityModel::new(sv, tv, &tokens[..n], &tokens[n..], &lens(src), &lens(tgt));
    let (n_src, n_tgt) = sim.dims();
    let links = match fixed {
        Some(l) => l.to_vec(),
        None => align::align(n_src, n_tgt, &|s, t| sim.link_score(s, t), &opts.align),
    };
    let lang_pair = lang_key(&src.lang, &tgt.lang);
    let scored = score_links(embedder, src, tgt, &links, &sim, opts, &lang_pair)?;
    let embed_s = start.elapsed().as_secs_f64();

    let gains = neighbour_gains(embedder, src, tgt, &scored, &sim)?;
    let ctx = checks::semantic::Context {
        src: &src.sentences,
        tgt: &tgt.sentences,
        links: &scored,
        sim: &sim,
        thresholds: &opts.thresholds,
        src_cjk: lang::is_cjk(&src.lang),
        tgt_cjk: lang::is_cjk(&tgt.lang),
        neighbour_gains: &gains,
    };
    let mut findings = checks::semantic::run(&ctx);
    findings.extend(extra);
    let checks_start = Instant::now();
    let mut words = vec![None; scored.len()];
    let estimates = match pass {
        Pass::Full => {
            prefill_word_alignments(src, tgt, &scored, known, &mut words);
            check_links(
                embedder,
                (src, tgt),
                (&scored, &sim),
                (sv, tv),
                opts,
                (&lang_pair, fixed.is_some()),
                &mut words,
                &mut findings,
            )?
        }
        Pass::Alignment => vec![None; scored.len()],
    };
    let checks_s = checks_start.elapsed().as_secs_f64();
    let detected = src.lang_detected || tgt.lang_detected;
    findings.extend(checks::same_language::check(&src.lang, &tgt.lang, detected));
    findings.extend(checks::long_sentence::check(
        &src.sentences,
        &tgt.sentences,
        &emb.windowed,
        embedder.max_tokens(),
    ));
    opts.rules.apply(&mut findings);
    drop_ignored(&mut findings, &opts.ignore)?;
    locate(&mut findings, src, tgt);
    place_spans(&mut findings, src, tgt);
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.source.first().copied().unwrap_or(usize::MAX),
                f.target.first().copied().unwrap_or(usize::MAX),
            )
        };
        key(a).cmp(&key(b)).then(b.severity.cmp(&a.severity))
    });

    let mut report = build_report(
        embedder,
        src,
        tgt,
        opts,
        &lang_pair,
        &scored,
        findings,
        &emb.windowed,
        words.into_iter().zip(estimates).collect(),
    );
    report.timing = Timing {
        load_s: 0.0,
        embed_s,
        checks_s,
        total_s: start.elapsed().as_secs_f64(),
    };
    Ok((report, sim))
}

/// The checks of each link's words (`Pass::Full`): the rules over its text, the probes that
/// embed variants of it, truncation, spans, and the quality estimate, whose estimates it returns.
/// `segments`: the links were given by the file and are judged with the segment thresholds.
#[allow(clippy::too_many_arguments)] // the pipeline's state at this step, passed once
fn check_links(
    embedder: &Embedder,
    (src, tgt): (&Document, &Document),
    (scored, sim): (&[ScoredLink], &SimilarityModel),
    (sv, tv): (&[Vec<f32>], &[Vec<f32>]),
    opts: &CheckOptions,
    (lang_pair, segments): (&str, bool),
    words: &mut [Option<WordAlignment>],
    findings: &mut Vec<Finding>,
) -> Result<Vec<Option<LinkEstimate>>> {
    if opts.details {
        add_word_alignments(embedder, src, tgt, scored, words, |_| true)?;
    }
    let mut link_findings = run_link_checks(src, tgt, scored, opts, !segments);
    confirm_negations(embedder, src, tgt, scored, words, &mut link_findings)?;
    confirm_rendered(embedder, src, tgt, scored, words, &mut link_findings)?;
    link_findings.extend(probe_antonyms(embedder, (src, tgt), scored, (sv, tv))?);
    link_findings.extend(inner_additions(embedder, src, tgt, scored, sim, words)?);
    findings.extend(link_findings);
    findings.extend(truncations(embedder, src, tgt, scored, sim, tv)?);
    point_mistranslations(embedder, src, tgt, scored, words, findings)?;
    quality_estimates(
        embedder,
        (src, tgt),
        (scored, sim),
        opts,
        (lang_pair, segments),
        words,
        findings,
    )
}

/// Scores every link: its similarity (merged spans re-embedded as one text: the approximation
/// guided the alignment, the reported similarity is the model's own), z, score and the
/// reference's judgement.
fn score_links(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[Link],
    sim: &SimilarityModel,
    opts: &CheckOptions,
    lang_pair: &str,
) -> Result<Vec<ScoredLink>> {
    let merged: Vec<&Link> = links
        .iter()
        .filter(|l| {
            l.source.len() + l.target.len() > 2 && !l.source.is_empty() && !l.target.is_empty()
        })
        .collect();
    let mut merged_texts = Vec::new();
    for l in &merged {
        merged_texts.push(src.join(l.source.clone()));
        merged_texts.push(tgt.join(l.target.clone()));
    }
    let merged_refs: Vec<&str> = merged_texts.iter().map(String::as_str).collect();
    let merged_emb = if merged_refs.is_empty() {
        Default::default()
    } else {
        embedder.embed(&merged_refs)?
    };
    let thresholds = &opts.thresholds;
    let reference = opts.reference.as_ref();
    let mut merged_iter = merged_emb.vectors.chunks(2);
    Ok(links
        .iter()
        .map(|l| {
            let (a, b) = l.kind();
            if a == 0 || b == 0 {
                return ScoredLink {
                    link: l.clone(),
                    similarity: 0.0,
                    z: f32::NEG_INFINITY,
                    score: 0.0,
                    parts: Vec::new(),
                    reference: None,
                };
            }
            let similarity = if a + b > 2 {
                merged_iter.next().map_or_else(
                    || sim.cos(l.source.clone(), l.target.clone()),
                    |p| dot(&p[0], &p[1]),
                )
            } else {
                sim.cos1(l.source.start, l.target.start)
            };
            let z = sim.z(similarity, &l.source, &l.target);
            let judgement = reference.map(|r| r.reference.judge(lang_pair, similarity));
            ScoredLink {
                link: l.clone(),
                similarity,
                z,
                score: thresholds.link_score(z, judgement.as_ref()),
                parts: sim.part_gains(&l.source, &l.target, similarity),
                reference: judgement,
            }
        })
        .collect())
}

/// The report of a checked pair (timings left at zero for the caller).
#[allow(clippy::too_many_arguments)]
fn build_report(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    opts: &CheckOptions,
    lang_pair: &str,
    scored: &[ScoredLink],
    findings: Vec<Finding>,
    windowed: &[bool],
    per_link: Vec<(Option<WordAlignment>, Option<LinkEstimate>)>,
) -> Report {
    let score = score::document_score(scored);
    let verdict = score::verdict(score, &findings, opts.min_score);
    let n = src.sentences.len();
    let sentences_out = |d: &Document, windowed: &[bool]| {
        d.sentences
            .iter()
            .zip(windowed)
            .enumerate()
            .map(|(k, (s, &w))| SentenceOut {
                text: s.text.clone(),
                line: s.line,
                start: s.start,
                end: s.end,
                windowed: w,
                location: d.locations.get(k).cloned(),
                region: d.regions.get(k).copied(),
                original: d.originals.get(k).filter(|o| !o.is_empty()).cloned(),
            })
            .collect::<Vec<_>>()
    };
    Report {
        version: REPORT_VERSION,
        source: doc_info(src),
        target: doc_info(tgt),
        model: model_used(&embedder.info),
        calibration: reference_used(opts.reference.as_ref(), &embedder.info.id, lang_pair),
        quality_estimate: quality_estimate_used(&opts.qe),
        score,
        verdict,
        counts: Report::count(&findings),
        alignments: scored
            .iter()
            .zip(per_link)
            .map(|(l, (words, estimate))| {
                let unaligned = l.link.source.is_empty() || l.link.target.is_empty();
                let qe_features = estimate
                    .as_ref()
                    .filter(|_| opts.details)
                    .map(|e| qe::by_name(&e.features));
                Alignment {
                    words: words.filter(|_| opts.details),
                    qe: estimate
                        .map(|e| e.probability)
                        .filter(|p| p.is_finite())
                        .map(crate::util::round3),
                    qe_features,
                    source: l.link.source.clone().collect(),
                    target: l.link.target.clone().collect(),
                    similarity: (!unaligned).then(|| crate::util::round3(l.similarity)),
                    score: l.score,
                    z: (!unaligned).then(|| crate::util::round3(l.z)),
                    parts: l
                        .parts
                        .iter()
                        .map(|p| MergedPart {
                            is_source: p.is_source,
                            index: p.index,
                            gain_z: p.gain_z,
                            alone_z: p.alone_z,
                        })
                        .collect(),
                }
            })
            .collect(),
        findings,
        source_sentences: sentences_out(src, &windowed[..n]),
        target_sentences: sentences_out(tgt, &windowed[n..]),
        timing: Timing::default(),
    }
}

/// What the report says about the quality estimate's weights.
fn quality_estimate_used(qe: &qe::Weights) -> QualityEstimateUsed {
    match qe {
        qe::Weights::Used(e) => QualityEstimateUsed {
            method: "learned".into(),
            summary: format!(
                "learned: logistic model over {} features of {} ({})",
                e.features.len(),
                e.encoder.id,
                e.encoder.dtype
            ),
        },
        qe::Weights::Off(why) => QualityEstimateUsed {
            method: "off".into(),
            summary: why.clone(),
        },
    }
}

/// What the report says about the model: the report owns its shape, so `ModelInfo` may change
/// without changing the report.
pub fn model_used(info: &ModelInfo) -> ModelUsed {
    // The report spells enum values as serde does in the model's own files.
    fn name<T: serde::Serialize>(x: &T) -> String {
        match serde_json::to_value(x) {
            Ok(serde_json::Value::String(s)) => s,
            _ => String::new(),
        }
    }
    let s = &info.settings;
    ModelUsed {
        id: info.id.clone(),
        device: match info.device {
            DeviceKind::Cpu => Device::Cpu,
            DeviceKind::Cuda => Device::Cuda,
        },
        dtype: info.dtype.to_string(),
        architecture: name(&info.architecture),
        settings: SentenceSettingsUsed {
            pooling: name(&s.pooling),
            dense: s.dense.as_ref().map(|d| DenseUsed {
                in_features: d.in_features,
                out_features: d.out_features,
                bias: d.bias,
                tanh: d.tanh,
                dir: d.dir.clone(),
            }),
            normalize: s.normalize,
            prefix: s.prefix.clone(),
            origin: s.origin.to_string(),
        },
    }
}

/// What the report says about the reference distributions a check used.
pub fn reference_used(
    reference: Option<&LoadedReference>,
    model_id: &str,
    lang: &str,
) -> ReferenceUsed {
    match reference {
        Some(r) => ReferenceUsed {
            method: "reference".into(),
            summary: r.reference.describe(),
            origin: Some(r.origin.clone()),
            language_pair: Some(lang.to_string()),
            language_pair_measured: r.reference.by_lang.contains_key(lang),
        },
        None => ReferenceUsed {
            method: "document-relative".into(),
            summary: format!("document-relative: no reference distribution for model {model_id}"),
            origin: None,
            language_pair: None,
            language_pair_measured: false,
        },
    }
}

/// Runs the rule checks (`checks::link_checks`) over every link with both sides present, and for
/// articles the verbatim comparison of their inline code and link targets.
/// `running_text`: the pair is a document and its translation, aligned here; segment files
/// (catalogues, WMT-style sets) hold units that need not come from one text, so what the rest of
/// the file names says nothing about a unit.
fn run_link_checks<'a>(
    src: &'a Document,
    tgt: &'a Document,
    links: &[ScoredLink],
    opts: &CheckOptions,
    running_text: bool,
) -> Vec<Finding> {
    let mut rules = checks::link_checks();
    if !opts.glossary.is_empty() {
        rules.push(Box::new(checks::glossary::Glossary {
            terms: opts.glossary.clone(),
        }));
    }
    let mut out = Vec::new();
    // What the whole source document names, for names moved in from another sentence.
    let carried =
        running_text.then(|| checks::carried::CarriedIndex::new(&src.sentences, &src.lang));
    for l in links
        .iter()
        .filter(|l| !l.link.source.is_empty() && !l.link.target.is_empty())
    {
        let pair = checks::PairContext {
            src_carried: carried.as_ref(),
            ..pair_context(src, tgt, l)
        };
        for rule in &rules {
            out.extend(rule.run(&pair));
        }
        let items = |d: &'a Document, r: &std::ops::Range<usize>| -> Vec<&'a Verbatim> {
            r.clone()
                .flat_map(|i| d.verbatim.get(i))
                .flatten()
                .collect()
        };
        let (s, t) = (items(src, &l.link.source), items(tgt, &l.link.target));
        if !s.is_empty() || !t.is_empty() {
            out.extend(checks::verbatim::check(&pair, &s, &t));
        }
    }
    out
}

/// Fills in the word alignment of the links `want` selects among those with both sides and none
/// yet (one forward pass through the word-alignment layer for all of them).
fn add_word_alignments(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    words: &mut [Option<WordAlignment>],
    want: impl Fn(usize) -> bool,
) -> Result<()> {
    let chosen: Vec<usize> = (0..links.len())
        .filter(|&k| {
            let l = &links[k].link;
            words[k].is_none() && !l.source.is_empty() && !l.target.is_empty() && want(k)
        })
        .collect();
    if chosen.is_empty() {
        return Ok(());
    }
    let texts: Vec<(String, String)> = chosen
        .iter()
        .map(|&k| {
            let pair = pair_context(src, tgt, &links[k]);
            (pair.src_text(), pair.tgt_text())
        })
        .collect();
    let flat: Vec<&str> = texts
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    let layer = wordalign::default_layer(embedder.num_layers());
    let states = embedder.token_spans(&flat, layer)?;
    for ((&k, (a, b)), st) in chosen.iter().zip(&texts).zip(states.chunks(2)) {
        words[k] = Some(WordAlignment::build(
            (a, &st[0].spans, &st[0].states),
            (b, &st[1].spans, &st[1].states),
            Words::Natural,
            Method::Argmax,
        ));
    }
    Ok(())
}

/// The word alignment of every link of one sentence a side whose two sentences' token states
/// came with the embedding pass (`Known::spans`).
fn prefill_word_alignments(
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    known: &Known,
    words: &mut [Option<WordAlignment>],
) {
    if known.spans.is_empty() {
        return;
    }
    for (k, l) in links.iter().enumerate() {
        if l.link.source.len() != 1 || l.link.target.len() != 1 || words[k].is_some() {
            continue;
        }
        let (a, b) = (
            &src.sentences[l.link.source.start].text,
            &tgt.sentences[l.link.target.start].text,
        );
        if let (Some(sa), Some(sb)) = (known.spans.get(a), known.spans.get(b)) {
            words[k] = Some(WordAlignment::build(
                (a, &sa.spans, &sa.states),
                (b, &sb.spans, &sb.states),
                Words::Natural,
                Method::Argmax,
            ));
        }
    }
}

/// The link a finding about one aligned link is about (both sides present), by its sentences.
fn link_of(links: &[ScoredLink], f: &Finding) -> Option<usize> {
    links.iter().position(|l| {
        !l.link.source.is_empty()
            && l.link.source.clone().eq(f.source.iter().copied())
            && l.link.target.clone().eq(f.target.iter().copied())
    })
}

/// Fills in the word alignments of the links the findings `pick` selects are about.
fn align_links_of(
    embedder: &Embedder,
    (src, tgt): (&Document, &Document),
    links: &[ScoredLink],
    words: &mut [Option<WordAlignment>],
    findings: &[Finding],
    pick: impl Fn(&Finding) -> bool,
) -> Result<()> {
    let wanted: Vec<usize> = findings
        .iter()
        .filter(|f| pick(f))
        .filter_map(|f| link_of(links, f))
        .collect();
    add_word_alignments(embedder, src, tgt, links, words, |k| wanted.contains(&k))
}

/// Negation warnings stand only where the evidence agrees: the negator has no partner on the
/// other side, and deleting it does not move the sentence away from its translation (see
/// `checks::negation::judge`). Word alignments computed here are kept for the report.
fn confirm_negations(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    words: &mut [Option<WordAlignment>],
    findings: &mut Vec<Finding>,
) -> Result<()> {
    use checks::negation::is_candidate;
    if !findings.iter().any(is_candidate) {
        return Ok(());
    }
    align_links_of(embedder, (src, tgt), links, words, findings, is_candidate)?;
    // The probe: each candidate's two texts with the negator deleted from its side.
    let mut probes = Vec::new();
    for f in findings.iter().filter(|f| is_candidate(f)) {
        let Some(k) = link_of(links, f) else { continue };
        let pair = pair_context(src, tgt, &links[k]);
        probes.push((k, checks::negation::probe_texts(&pair, f)));
    }
    let texts: Vec<&str> = probes
        .iter()
        .filter_map(|(_, p)| p.as_ref())
        .flat_map(|p| [p.kept.as_str(), p.without.as_str(), p.other.as_str()])
        .collect();
    let vectors = embedder.embed(&texts)?.vectors;
    let mut sims = vectors
        .chunks(3)
        .map(|v| (dot(&v[0], &v[2]), dot(&v[1], &v[2])));
    let mut probe_of = probes
        .into_iter()
        .map(|(k, p)| (k, p.and_then(|_| sims.next())));
    let mut out = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        if !is_candidate(&f) {
            out.push(f);
            continue;
        }
        let Some((k, probe)) = probe_of.next() else {
            out.push(f);
            continue;
        };
        let pair = pair_context(src, tgt, &links[k]);
        out.extend(checks::negation::judge(&pair, f, words[k].as_ref(), probe));
    }
    *findings = out;
    Ok(())
}

/// Antonym warnings of links of one sentence a side with an English target (`checks::antonym`):
/// the words with a WordNet antonym and their antonyms are embedded alone to pick at most one
/// swap per link, which is embedded in its sentence; the sentences' own vectors give the
/// similarity as written, and the mean of the source's vectors the drift towards every sentence.
fn probe_antonyms(
    embedder: &Embedder,
    (src, tgt): (&Document, &Document),
    links: &[ScoredLink],
    (sv, tv): (&[Vec<f32>], &[Vec<f32>]),
) -> Result<Vec<Finding>> {
    let probes: Vec<(
        &ScoredLink,
        checks::PairContext,
        Vec<checks::antonym::Candidate>,
    )> = links
        .iter()
        .filter(|l| l.link.source.len() == 1 && l.link.target.len() == 1)
        .filter_map(|l| {
            let pair = pair_context(src, tgt, l);
            let cands = checks::antonym::candidates(&pair);
            (!cands.is_empty()).then_some((l, pair, cands))
        })
        .collect();
    if probes.is_empty() {
        return Ok(Vec::new());
    }
    let doc = mean(sv);
    // The words alone first, each embedded once per document (a few tokens each): they pick the
    // one swap per link worth embedding in its sentence.
    let mut lone: Vec<String> = probes
        .iter()
        .flat_map(|(_, _, c)| {
            c.iter()
                .flat_map(|c| [c.word.to_lowercase(), c.antonym.to_lowercase()])
        })
        .collect();
    lone.sort();
    lone.dedup();
    let lone_refs: Vec<&str> = lone.iter().map(String::as_str).collect();
    let lone_vectors = embedder.embed(&lone_refs)?.vectors;
    let vector_of = |w: &str| {
        lone.binary_search(&w.to_lowercase())
            .ok()
            .map(|i| &lone_vectors[i])
    };
    let chosen: Vec<(usize, &checks::antonym::Candidate, f32)> = probes
        .iter()
        .enumerate()
        .filter_map(|(k, (l, _, cands))| {
            let s = &sv[l.link.source.start];
            let gains: Vec<f32> = cands
                .iter()
                .map(|c| match (vector_of(&c.word), vector_of(&c.antonym)) {
                    (Some(w), Some(a)) => checks::antonym::lone_gain(w, a, s, &doc),
                    _ => f32::NEG_INFINITY, // not embedded alone: never picked
                })
                .collect();
            checks::antonym::pick(&gains).map(|i| (k, &cands[i], gains[i]))
        })
        .collect();
    let texts: Vec<&str> = chosen.iter().map(|(_, c, _)| c.variant.as_str()).collect();
    let vectors = embedder.embed(&texts)?.vectors;
    let mut out = Vec::new();
    for ((k, c, lone_gain), v) in chosen.iter().zip(&vectors) {
        let (l, pair, _) = &probes[*k];
        let (s, t) = (&sv[l.link.source.start], &tv[l.link.target.start]);
        let probe = checks::antonym::Probe {
            gain: dot(v, s) - dot(t, s),
            drift: dot(v, &doc) - dot(t, &doc),
        };
        out.extend(checks::antonym::judge(pair, c, probe, *lone_gain));
    }
    Ok(out)
}

/// Judges the comparisons of entity and number findings that word lists alone cannot settle with
/// their links' word alignments: the words of a translated name, or a number spelled out in other
/// words, are aligned to their translation; a replaced name or a lost number is not
/// (`checks::entities::judge_names`, `checks::numbers::judge_words`).
fn confirm_rendered(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    words: &mut [Option<WordAlignment>],
    findings: &mut Vec<Finding>,
) -> Result<()> {
    use checks::entities::{has_names, judge_names};
    use checks::numbers::{has_lone_words, judge_words};
    let judged = |f: &Finding| has_names(f) || has_lone_words(f);
    if !findings.iter().any(judged) {
        return Ok(());
    }
    align_links_of(embedder, (src, tgt), links, words, findings, judged)?;
    let mut out = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        let Some(k) = link_of(links, &f).filter(|_| judged(&f)) else {
            out.push(f);
            continue;
        };
        let pair = pair_context(src, tgt, &links[k]);
        let wa = words[k].as_ref();
        out.extend(if has_names(&f) {
            judge_names(&pair, f, wa)
        } else {
            judge_words(&pair, f, wa)
        });
    }
    *findings = out;
    Ok(())
}

/// Points every mistranslation finding about one link that has no spans yet at the link's words
/// without partners (the word alignment is computed for those links only).
fn point_mistranslations(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    words: &mut [Option<WordAlignment>],
    findings: &mut [Finding],
) -> Result<()> {
    let pointless = |f: &Finding| {
        f.kind == Kind::Mistranslation && f.source_spans.is_empty() && f.target_spans.is_empty()
    };
    align_links_of(embedder, (src, tgt), links, words, findings, pointless)?;
    for f in findings.iter_mut().filter(|f| pointless(f)) {
        if let Some(k) = link_of(links, f) {
            if let Some(wa) = &words[k] {
                let pair = pair_context(src, tgt, &links[k]);
                checks::semantic::point_at_unpartnered(&pair, wa, f);
            }
        }
    }
    Ok(())
}

/// A link's quality estimate and the features it was computed from.
#[derive(Debug, Clone)]
struct LinkEstimate {
    probability: f64,
    features: Vec<f32>,
}

/// The learned quality estimate of every link with both sides (`qe`), when the model has
/// weights or `--details` asks for the features: every such link gets a word alignment, its
/// features, and with weights an estimate that `checks::quality_estimate` turns into findings.
fn quality_estimates(
    embedder: &Embedder,
    (src, tgt): (&Document, &Document),
    (links, sim): (&[ScoredLink], &SimilarityModel),
    opts: &CheckOptions,
    (lang_pair, segments): (&str, bool),
    words: &mut [Option<WordAlignment>],
    findings: &mut Vec<Finding>,
) -> Result<Vec<Option<LinkEstimate>>> {
    let estimator = opts.qe.estimator();
    if estimator.is_none() && !opts.details {
        return Ok(vec![None; links.len()]);
    }
    add_word_alignments(embedder, src, tgt, links, words, |_| true)?;
    let mut out = vec![None; links.len()];
    let mut added = Vec::new();
    for (k, l) in links.iter().enumerate() {
        if l.link.source.is_empty() || l.link.target.is_empty() {
            continue;
        }
        let on_link = |f: &Finding| {
            !f.source.is_empty()
                && !f.target.is_empty()
                && f.source.iter().all(|i| l.link.source.contains(i))
                && f.target.iter().all(|j| l.link.target.contains(j))
        };
        let features = {
            let mine: Vec<&Finding> = findings.iter().filter(|f| on_link(f)).collect();
            qe::features(&qe::LinkEvidence {
                similarity: l.similarity,
                z: l.z,
                reference_clean_percentile: l.reference.map(|j| j.clean_percentile),
                length_ratio_off: sim.length_ratio(&l.link.source, &l.link.target).ln().abs(),
                merged: l.link.source.len() + l.link.target.len() > 2,
                words: words[k].as_ref(),
                findings: &mine,
            })
        };
        let probability = match estimator {
            // Findings only for links of one sentence a side, what the estimator was fitted on;
            // merged links get an estimate to read, not to act on.
            Some(e) if l.link.source.len() > 1 || l.link.target.len() > 1 => {
                e.estimate(&features).probability
            }
            Some(e) => {
                let estimate = e.estimate(&features);
                let pair = pair_context(src, tgt, l);
                let mut mine: Vec<&mut Finding> =
                    findings.iter_mut().filter(|f| on_link(f)).collect();
                added.extend(checks::quality_estimate::judge(
                    &pair,
                    &estimate,
                    e.thresholds_for(lang_pair, segments),
                    &mut mine,
                ));
                estimate.probability
            }
            None => f64::NAN,
        };
        out[k] = Some(LinkEstimate {
            probability,
            features,
        });
    }
    findings.extend(added);
    Ok(out)
}

/// Additions inside a link (`checks::inner_addition`): links whose target is long for the
/// document get a word alignment; a long run of target words without partners is deleted and
/// the shorter target embedded again, and a target that gets closer to its source is reported.
fn inner_additions(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    sim: &SimilarityModel,
    words: &mut [Option<WordAlignment>],
) -> Result<Vec<Finding>> {
    use checks::inner_addition;
    let candidate = |l: &ScoredLink| {
        !l.link.source.is_empty()
            && !l.link.target.is_empty()
            && sim.length_ratio(&l.link.source, &l.link.target) >= inner_addition::CANDIDATE_RATIO
    };
    add_word_alignments(embedder, src, tgt, links, words, |k| candidate(&links[k]))?;
    // Per run: the link's source, its target, the target without the run, the run, and the
    // source sentences on either side of the link (a run that translates one of them is a merge
    // the aligner made, not added content).
    let mut runs = Vec::new();
    for (k, l) in links.iter().enumerate().filter(|(_, l)| candidate(l)) {
        let Some(run) = words[k].as_ref().and_then(inner_addition::unaligned_run) else {
            continue;
        };
        let pair = pair_context(src, tgt, l);
        let (s, t) = (pair.src_text(), pair.tgt_text());
        let without = inner_addition::without_run(&t, &run);
        let run_text = t[run.clone()].to_string();
        let before = l.link.source.start.checked_sub(1);
        let after = Some(l.link.source.end).filter(|&i| i < src.sentences.len());
        let neighbours = [before, after]
            .into_iter()
            .flatten()
            .map(|i| src.sentences[i].text.clone());
        let mut texts = vec![s, t, without, run_text];
        texts.extend(neighbours);
        runs.push((k, run, texts));
    }
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let texts: Vec<&str> = runs
        .iter()
        .flat_map(|(_, _, t)| t.iter().map(String::as_str))
        .collect();
    let v = embedder.embed(&texts)?.vectors;
    let mut out = Vec::new();
    let mut at = 0;
    for (k, run, texts) in runs {
        let v = &v[at..at + texts.len()];
        at += texts.len();
        let neighbour = v[4..]
            .iter()
            .map(|n| dot(&v[3], n))
            .fold(f32::MIN, f32::max);
        let probe = inner_addition::Probe {
            with: dot(&v[0], &v[1]),
            without: dot(&v[0], &v[2]),
            neighbour: (v.len() > 4).then_some(neighbour),
        };
        let pair = pair_context(src, tgt, &links[k]);
        out.extend(inner_addition::judge(&pair, run, &probe));
    }
    Ok(out)
}

/// Unaligned sentences between an unaligned sentence and the aligned link it may belong to, at most.
const MAX_RUN: usize = 6;

/// For every unaligned sentence, what joining it (and the unaligned sentences between) to the
/// nearest aligned link on each side does to that link's similarity: the joined side and the other
/// side are embedded as texts (one batch for all).
fn neighbour_gains(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    sim: &SimilarityModel,
) -> Result<Vec<checks::semantic::NeighbourGain>> {
    let mut gains = Vec::new();
    let mut base = Vec::new();
    let mut texts = Vec::new();
    for (k, l) in links.iter().enumerate() {
        let (a, b) = l.link.kind();
        if (a == 0) == (b == 0) {
            continue;
        }
        let is_source = b == 0;
        let i = if is_source {
            l.link.source.start
        } else {
            l.link.target.start
        };
        // The nearest aligned link on either side, across other unaligned sentences: a verse
        // rendered as five sentences leaves a run of them unaligned, and the joined text then
        // takes in the whole run up to the neighbour.
        let aligned = |n: &usize| {
            let l = &links[*n].link;
            !l.source.is_empty() && !l.target.is_empty()
        };
        let before = (k.saturating_sub(MAX_RUN)..k).rev().find(aligned);
        let after = (k + 1..links.len().min(k + 1 + MAX_RUN)).find(aligned);
        for n in [before, after].into_iter().flatten() {
            let nl = &links[n];
            let side = if is_source {
                &nl.link.source
            } else {
                &nl.link.target
            };
            let grown = if n < k {
                side.start..i + 1
            } else {
                i..side.end
            };
            let (d, other_doc, other) = if is_source {
                (src, tgt, nl.link.target.clone())
            } else {
                (tgt, src, nl.link.source.clone())
            };
            texts.push(d.join(grown));
            texts.push(other_doc.join(other));
            base.push(nl.similarity);
            gains.push(checks::semantic::NeighbourGain {
                is_source,
                index: i,
                link: n,
                gain_z: 0.0,
            });
        }
    }
    if gains.is_empty() {
        return Ok(gains);
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let emb = embedder.embed(&refs)?;
    for ((g, pair), base) in gains.iter_mut().zip(emb.vectors.chunks(2)).zip(base) {
        g.gain_z = (dot(&pair[0], &pair[1]) - base) / sim.sigma;
    }
    Ok(gains)
}

/// The truncation check: 1-1 links whose target is short for the document are confirmed by
/// embedding the source's two halves (one extra batch for all candidates).
fn truncations(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    sim: &SimilarityModel,
    tgt_vectors: &[Vec<f32>],
) -> Result<Vec<Finding>> {
    use checks::truncation;
    let mut candidates = Vec::new();
    let mut halves = Vec::new();
    for l in links.iter().filter(|l| l.link.kind() == (1, 1)) {
        let ratio = sim.length_ratio(&l.link.source, &l.link.target);
        let text = &src.sentences[l.link.source.start].text;
        if ratio >= truncation::CANDIDATE_RATIO || !truncation::long_enough(text) {
            continue;
        }
        if let Some((a, b)) = truncation::split_halves(text) {
            candidates.push((l, ratio));
            halves.push(a);
            halves.push(b);
        }
    }
    let mut out = Vec::new();
    let refs: Vec<&str> = halves.iter().map(String::as_str).collect();
    let emb = if refs.is_empty() {
        Default::default()
    } else {
        embedder.embed(&refs)?
    };
    for ((l, ratio), parts) in candidates.into_iter().zip(emb.vectors.chunks(2)) {
        let t = &tgt_vectors[l.link.target.start];
        let evidence = truncation::Evidence {
            full: l.similarity,
            lead: dot(&parts[0], t),
            trail: dot(&parts[1], t),
            length_ratio: ratio,
            sigma: sim.sigma,
        };
        let pair = pair_context(src, tgt, l);
        out.extend(truncation::judge(&pair, &evidence));
    }
    out.extend(coverage_truncations(embedder, src, tgt, links, sim, &out)?);
    Ok(out)
}

/// The token-level half of the truncation check: 1-1 links somewhat short for the document,
/// and not already found, are judged by how their target's tokens cover the source's (one
/// forward pass through the lower layers for all candidates).
fn coverage_truncations(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    sim: &SimilarityModel,
    found: &[Finding],
) -> Result<Vec<Finding>> {
    use checks::truncation;
    let candidates: Vec<(&ScoredLink, f32)> = links
        .iter()
        .filter(|l| l.link.kind() == (1, 1) && l.z.is_finite())
        .filter(|l| !found.iter().any(|f| f.target == [l.link.target.start]))
        .map(|l| (l, sim.length_ratio(&l.link.source, &l.link.target)))
        .filter(|&(_, ratio)| ratio < truncation::COVERAGE_CANDIDATE_RATIO)
        .filter(|(l, _)| {
            let pair = pair_context(src, tgt, l);
            truncation::coverage_tells(&pair.src_text(), &pair.tgt_text())
        })
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let texts: Vec<&str> = candidates
        .iter()
        .flat_map(|(l, _)| {
            [
                truncation::coverage_text(&src.sentences[l.link.source.start].text),
                truncation::coverage_text(&tgt.sentences[l.link.target.start].text),
            ]
        })
        .collect();
    let layer = truncation::coverage_layer(embedder.num_layers());
    let states = embedder.token_states(&texts, layer)?;
    let mut out = Vec::new();
    for ((l, ratio), pair_states) in candidates.into_iter().zip(states.chunks(2)) {
        if let Some(c) = truncation::coverage(&pair_states[0], &pair_states[1]) {
            let pair = pair_context(src, tgt, l);
            out.extend(truncation::judge_coverage(&pair, ratio, l.z, &c));
        }
    }
    Ok(out)
}

/// Places each span in the input file where the document is plain text and the span's sentence
/// stands in it as reported (its byte length unchanged by collapsing whitespace).
fn place_spans(findings: &mut [Finding], src: &Document, tgt: &Document) {
    let place = |spans: &mut Vec<crate::finding::Span>, d: &Document| {
        for sp in spans.iter_mut() {
            let Some(s) = d.sentences.get(sp.sentence) else {
                continue;
            };
            if d.locations.is_empty() && s.end.saturating_sub(s.start) == s.text.len() {
                sp.file_offset = Some(s.start + sp.start);
            }
        }
    };
    for f in findings {
        place(&mut f.source_spans, src);
        place(&mut f.target_spans, tgt);
    }
}

/// In segmented files, starts each message with the segment's location ("trans-unit 12: …"), so
/// that renderings which show only the message and a line (SARIF, GitHub, JUnit) name it too.
fn locate(findings: &mut [Finding], src: &Document, tgt: &Document) {
    for f in findings.iter_mut().filter(|f| f.kind != Kind::Unfinished) {
        let at = f
            .target
            .first()
            .and_then(|&j| tgt.locations.get(j))
            .or_else(|| f.source.first().and_then(|&i| src.locations.get(i)));
        if let Some(at) = at {
            f.message = format!("{at}: {}", f.message);
        }
    }
}

/// Drops findings whose source or target text matches one of the `ignore` patterns.
fn drop_ignored(findings: &mut Vec<Finding>, patterns: &[String]) -> Result<()> {
    if patterns.is_empty() {
        return Ok(());
    }
    let set = regex::RegexSet::new(patterns)
        .map_err(|e| Error::Usage(format!("ignore patterns: {e}")))?;
    findings.retain(|f| !set.is_match(&f.source_text) && !set.is_match(&f.target_text));
    Ok(())
}

fn pair_context<'a>(
    src: &'a Document,
    tgt: &'a Document,
    l: &ScoredLink,
) -> checks::PairContext<'a> {
    checks::PairContext {
        src: &src.sentences[l.link.source.clone()],
        src_index: l.link.source.clone(),
        tgt: &tgt.sentences[l.link.target.clone()],
        tgt_index: l.link.target.clone(),
        src_carried: None,
        src_lang: &src.lang,
        tgt_lang: &tgt.lang,
        similarity: l.similarity,
        z: l.z,
    }
}

fn doc_info(d: &Document) -> DocumentInfo {
    DocumentInfo {
        path: d.path.display().to_string(),
        lang: d.lang.clone(),
        lang_detected: d.lang_detected,
        sentences: d.sentences.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Sentence;

    fn doc(texts: &[&str], locations: &[&str]) -> Document {
        Document {
            path: "doc.txt".into(),
            lang: "en".into(),
            lang_detected: false,
            sentences: texts
                .iter()
                .enumerate()
                .map(|(k, t)| Sentence {
                    text: t.to_string(),
                    start: 0,
                    end: 0,
                    line: k + 1,
                    paragraph: k,
                })
                .collect(),
            locations: locations.iter().map(|s| s.to_string()).collect(),
            ..Document::default()
        }
    }

    fn finding(kind: Kind, source: Vec<usize>, target: Vec<usize>, text: &str) -> Finding {
        Finding {
            kind,
            severity: Severity::Error,
            source,
            target,
            source_text: text.into(),
            target_text: String::new(),
            source_line: None,
            target_line: None,
            message: "something is wrong".into(),
            evidence: serde_json::Value::Null,
            source_spans: Vec::new(),
            target_spans: Vec::new(),
        }
    }

    #[test]
    fn segment_files_do_not_report_names_moved_in_from_another_unit() {
        // WMT22 pt-en dev, checked as one file of unrelated segments: a name of another
        // segment's source in a target counted as moved in, and flags MCC fell 0.425 → 0.344.
        let src = doc(
            &[
                "Linux resolves host names in several ways.",
                "This file is available even when DNS servers are unreachable.",
            ],
            &[],
        );
        let mut tgt = doc(
            &[
                "",
                "このファイルは Linux サーバに到達できない場合にも利用できます。",
            ],
            &[],
        );
        tgt.lang = "ja".into();
        let link = |k: usize| ScoredLink {
            link: Link {
                source: k..k + 1,
                target: k..k + 1,
            },
            similarity: 0.9,
            z: 2.0,
            score: 90.0,
            parts: Vec::new(),
            reference: None,
        };
        let links = [link(1)];
        let moved = |running_text: bool| {
            run_link_checks(&src, &tgt, &links, &CheckOptions::default(), running_text)
                .iter()
                .filter(|f| f.kind == Kind::EntityMismatch)
                .count()
        };
        assert_eq!(moved(true), 1, "a document names Linux elsewhere");
        assert_eq!(moved(false), 0, "a segment file's units stand alone");
    }

    #[test]
    fn running_text_is_mostly_whole_sentences_and_ui_strings_are_not() {
        let prose = doc(
            &["It rained.", "The river rose.", "Roads closed.", "Help"],
            &[],
        );
        let ui = doc(&["Open", "Save as", "Quit", "Settings."], &[]);
        assert!(is_running_text(&prose));
        assert!(!is_running_text(&ui));
        assert!(
            !is_running_text(&doc(&["One.", "Two."], &[])),
            "too short to tell"
        );
    }

    #[test]
    fn findings_in_segmented_files_name_their_segment() {
        let src = doc(&["a", "b"], &["unit 1", "unit 2"]);
        let tgt = doc(&["x", "y"], &["unit 1", "unit 2"]);
        let mut f = vec![
            finding(Kind::NumberMismatch, vec![1], vec![1], "b"),
            finding(Kind::Omission, vec![0], vec![], "a"),
        ];
        locate(&mut f, &src, &tgt);
        assert_eq!(f[0].message, "unit 2: something is wrong");
        assert_eq!(f[1].message, "unit 1: something is wrong");
        // Plain text has no locations: messages stay as they are.
        let mut g = vec![finding(Kind::Omission, vec![0], vec![], "a")];
        locate(&mut g, &doc(&["a"], &[]), &doc(&["x"], &[]));
        assert_eq!(g[0].message, "something is wrong");
    }

    #[test]
    fn ignore_patterns_drop_matching_findings_and_a_bad_pattern_is_a_usage_error() {
        let mut f = vec![
            finding(Kind::Omission, vec![0], vec![], "Figure 3: the river"),
            finding(Kind::Omission, vec![1], vec![], "The river rose."),
        ];
        drop_ignored(&mut f, &[r"^Figure \d+".into()]).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].source_text, "The river rose.");
        let e = drop_ignored(&mut f, &["(".into()]).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e}");
    }
}
