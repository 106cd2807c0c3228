//! The `check` pipeline for one document pair: read → segment → embed → align → check → score.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use crate::align::{self, Link};
use crate::calibrate::{self, CalibrationUsed};
use crate::checks::{self, Finding, Kind, Severity};
use crate::error::{Error, Result};
use crate::formats;
use crate::model::{dot, Embedder, Embeddings};
use crate::report::{Alignment, DocumentInfo, Report, SentenceOut, Timing, REPORT_VERSION};
use crate::score::{self, Calibration, ScoredLink};
use crate::similarity::SimilarityModel;
use crate::text::{self, lang, Sentence};

/// Settings of one check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// BCP 47 codes; detected from the text when `None`.
    pub src_lang: Option<String>,
    pub tgt_lang: Option<String>,
    /// Documents scoring under this fail.
    pub min_score: f64,
    pub max_input_bytes: u64,
    pub calibration: Calibration,
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
}

/// Default `--max-sentences`: 8,000 × 8,000 cosines are 256 MB; articles have tens of sentences,
/// catalogues a few thousand segments.
pub const DEFAULT_MAX_SENTENCES: usize = 8_000;

/// Refuses documents over `max` sentences, naming the file and the flag.
pub fn check_size(docs: [&Document; 2], max: usize) -> Result<()> {
    for d in docs {
        if d.sentences.len() > max {
            return Err(Error::input(
                &d.path,
                format!(
                    "has {} sentences or segments, over the limit of {max} (raise it with --max-sentences; memory grows with the product of both sides' counts)",
                    d.sentences.len()
                ),
            ));
        }
    }
    Ok(())
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            src_lang: None,
            tgt_lang: None,
            min_score: 60.0,
            max_input_bytes: formats::DEFAULT_MAX_INPUT_BYTES,
            calibration: Calibration::default(),
            align: align::Params::default(),
            rules: checks::rules::Rules::default(),
            glossary: Vec::new(),
            ignore: Vec::new(),
            max_sentences: DEFAULT_MAX_SENTENCES,
        }
    }
}

/// A document read and segmented.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: PathBuf,
    pub lang: String,
    pub lang_detected: bool,
    pub sentences: Vec<Sentence>,
    /// Where each sentence is in a segmented file ("unit u12", "cue 7"); empty for plain text.
    pub locations: Vec<String>,
}

impl Document {
    /// Sentences `r` as one text, the way the model sees a merged span: joined by a space, or by
    /// nothing in scripts written without spaces.
    pub fn join(&self, r: std::ops::Range<usize>) -> String {
        let sep = if lang::is_cjk(&self.lang) { "" } else { " " };
        self.sentences[r]
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(sep)
    }
}

/// Reads and segments `path`; `lang` is a BCP 47 code or `None` to detect it.
pub fn load_document(path: &Path, lang: Option<&str>, max_input_bytes: u64) -> Result<Document> {
    let text = formats::read_text(path, max_input_bytes)?;
    let (lang, lang_detected) = given_or_detected(lang, &text);
    let sentences = text::split(&text, &lang);
    if sentences.is_empty() {
        return Err(Error::input(
            path,
            "has no sentences (only punctuation or symbols)",
        ));
    }
    Ok(Document {
        path: path.to_path_buf(),
        lang,
        lang_detected,
        sentences,
        locations: Vec::new(),
    })
}

/// The given language, else the one identified in `text` ("und" when none is): and whether it
/// was identified.
fn given_or_detected(given: Option<&str>, text: &str) -> (String, bool) {
    match given {
        Some(l) => (l.to_string(), false),
        None => (
            lang::detect(text)
                .map(|d| d.lang)
                .unwrap_or_else(|| "und".into()),
            true,
        ),
    }
}

/// A segmented bilingual file as two documents (one sentence per translated segment) linked
/// one to one, with what the file itself says is unfinished.
#[derive(Debug, Clone)]
pub struct SegmentedPair {
    pub format: formats::FileFormat,
    pub src: Document,
    pub tgt: Document,
    pub links: Vec<Link>,
    /// Segments without a translation, fuzzy or not yet reviewed.
    pub findings: Vec<Finding>,
    /// Every segment with source text, translated or not, in file order: the source side of the
    /// whole-document check of running text. `translated[k]` is segment k's index in `src`.
    pub all_src: Document,
    pub translated: Vec<Option<usize>>,
}

/// Reads a bilingual file. `src_lang`/`tgt_lang` pick TMX languages and stand in for languages
/// the file does not declare; languages neither declares are detected from the text.
pub fn load_segments(
    path: &Path,
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
    max_input_bytes: u64,
) -> Result<SegmentedPair> {
    let file = formats::read_bilingual(
        path,
        &formats::ReadOptions {
            max_bytes: max_input_bytes,
            src_lang: src_lang.map(str::to_string),
            tgt_lang: tgt_lang.map(str::to_string),
        },
    )?;
    let mut src_sentences = Vec::new();
    let mut tgt_sentences = Vec::new();
    let mut locations = Vec::new();
    let mut findings = Vec::new();
    let mut all_sentences = Vec::new();
    let mut all_locations = Vec::new();
    let mut translated = Vec::new();
    let sentence = |text: &str, line: usize, k: usize| Sentence {
        text: text.trim().to_string(),
        start: 0,
        end: 0,
        line,
        paragraph: k,
    };
    for seg in &file.segments {
        if seg.source.trim().is_empty() {
            continue;
        }
        let target = seg.target.as_deref().filter(|t| !t.trim().is_empty());
        let unfinished = |severity, what: &str| {
            let mut f = Finding::new(
                Kind::Unfinished,
                severity,
                (0..0, &[]),
                (0..0, &[]),
                format!("{}: {what}", seg.location),
                json!({"segment": seg.id, "state": seg.state}),
            );
            f.source_text = seg.source.clone();
            f.target_text = target.unwrap_or_default().to_string();
            f.source_line = Some(seg.line);
            f.target_line = Some(seg.line);
            f
        };
        all_sentences.push(sentence(&seg.source, seg.line, all_sentences.len()));
        all_locations.push(seg.location.clone());
        let Some(target) = target else {
            let mut f = unfinished(Severity::Warning, "no translation");
            // Which segment it is, for the whole-document check to refer to.
            f.evidence["segment_index"] = json!(all_sentences.len() - 1);
            findings.push(f);
            translated.push(None);
            continue;
        };
        translated.push(Some(src_sentences.len()));
        match seg.state.as_deref() {
            Some("fuzzy") => findings.push(unfinished(
                Severity::Warning,
                "marked fuzzy (gettext ignores fuzzy translations)",
            )),
            Some(
                s @ ("new"
                | "needs-translation"
                | "needs-adaptation"
                | "needs-l10n"
                | "needs-review-translation"
                | "needs-review-adaptation"
                | "needs-review-l10n"
                | "initial"),
            ) => findings.push(unfinished(
                Severity::Info,
                &format!("state is {s:?}, not yet translated or reviewed"),
            )),
            _ => {}
        }
        let k = src_sentences.len();
        src_sentences.push(sentence(&seg.source, seg.line, k));
        tgt_sentences.push(sentence(target, seg.line, k));
        locations.push(seg.location.clone());
    }
    if src_sentences.is_empty() {
        return Err(Error::input(
            path,
            format!(
                "{} file has no translated segments to check ({} segments)",
                file.format.name(),
                file.segments.len()
            ),
        ));
    }
    let document = |sentences: Vec<Sentence>, locations: &[String], declared: Option<String>| {
        let text: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
        let (lang, lang_detected) = given_or_detected(declared.as_deref(), &text.join("\n"));
        Document {
            path: path.to_path_buf(),
            lang,
            lang_detected,
            sentences,
            locations: locations.to_vec(),
        }
    };
    let n = src_sentences.len();
    let src_lang = file.src_lang.or(src_lang.map(str::to_string));
    let tgt_lang = file.tgt_lang.or(tgt_lang.map(str::to_string));
    let src = document(src_sentences, &locations, src_lang);
    let all_src = Document {
        sentences: all_sentences,
        locations: all_locations,
        ..src.clone()
    };
    Ok(SegmentedPair {
        format: file.format,
        all_src,
        translated,
        src,
        tgt: document(tgt_sentences, &locations, tgt_lang),
        links: (0..n)
            .map(|k| Link {
                source: k..k + 1,
                target: k..k + 1,
            })
            .collect(),
        findings,
    })
}

/// Two subtitle files, paired cue by cue when they share their timings, else by content.
pub enum SubtitlePair {
    /// Same number of cues at the same times: each cue is a link of its own.
    ByCue(SegmentedPair),
    /// Timings differ (re-timed, merged or split cues): cues are aligned like sentences.
    ByContent(Document, Document),
}

/// Reads two subtitle files (SRT or WebVTT). When both have the same cues at overlapping times
/// (at least 90% of them), the cue numbers pair them; otherwise the aligner links cues by
/// content, so merged or split cues are handled like merged or split sentences.
pub fn load_subtitle_pair(
    src_path: &Path,
    tgt_path: &Path,
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
    max_input_bytes: u64,
) -> Result<SubtitlePair> {
    let read = |path: &Path| -> Result<Vec<formats::Cue>> {
        let cues: Vec<formats::Cue> = formats::read_cues(path, max_input_bytes)?
            .into_iter()
            .filter(|c| !c.text.trim().is_empty())
            .collect();
        if cues.is_empty() {
            return Err(Error::input(path, "has no subtitle cues with text"));
        }
        Ok(cues)
    };
    let (a, b) = (read(src_path)?, read(tgt_path)?);
    let src = subtitle_document(src_path, &a, src_lang);
    let tgt = subtitle_document(tgt_path, &b, tgt_lang);
    let overlapping = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.start_ms.max(y.start_ms) < x.end_ms.min(y.end_ms))
        .count();
    if a.len() != b.len() || overlapping * 10 < a.len() * 9 {
        return Ok(SubtitlePair::ByContent(src, tgt));
    }
    let n = a.len();
    Ok(SubtitlePair::ByCue(SegmentedPair {
        format: formats::detect_format(src_path, ""),
        all_src: src.clone(),
        translated: (0..n).map(Some).collect(),
        src,
        tgt,
        links: (0..n)
            .map(|k| Link {
                source: k..k + 1,
                target: k..k + 1,
            })
            .collect(),
        findings: Vec::new(),
    }))
}

/// Cues as a document: one sentence per cue, its lines joined, located by cue number.
fn subtitle_document(path: &Path, cues: &[formats::Cue], lang: Option<&str>) -> Document {
    let sentences: Vec<Sentence> = cues
        .iter()
        .enumerate()
        .map(|(k, c)| Sentence {
            text: c.text.split_whitespace().collect::<Vec<_>>().join(" "),
            start: 0,
            end: 0,
            line: c.line,
            paragraph: k,
        })
        .collect();
    let text: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let (lang, lang_detected) = given_or_detected(lang, &text.join("\n"));
    Document {
        path: path.to_path_buf(),
        lang,
        lang_detected,
        sentences,
        locations: cues.iter().map(|c| format!("cue {}", c.number)).collect(),
    }
}

/// Length in characters, with CJK characters counted as the ~3 Latin characters they replace.
pub fn weighted_len(s: &str) -> f32 {
    s.chars().map(|c| if is_wide(c) { 3.0 } else { 1.0 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
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
        src,
        tgt,
        opts,
        None,
        Vec::new(),
        &mut Known::default(),
    )
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
        &pair.src,
        &pair.tgt,
        opts,
        Some(&pair.links),
        pair.findings.clone(),
        &mut known,
    )?;
    if is_running_text(&pair.all_src) {
        let whole = check_linked(
            embedder,
            &pair.all_src,
            &pair.tgt,
            opts,
            None,
            Vec::new(),
            &mut known,
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
                .find(|f| f.kind == Kind::Unfinished && f.evidence["segment_index"] == json!(i))
            else {
                continue;
            };
            let into = pair.src.locations.get(host).cloned().unwrap_or_default();
            f.severity = Severity::Info;
            f.target_text = pair.tgt.sentences[host].text.clone();
            f.message = format!(
                "{}: no translation of its own; its content is translated together with {into}",
                pair.all_src.locations.get(i).cloned().unwrap_or_default()
            );
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

/// The pipeline after reading: embed, align (unless `fixed` links are given), check, score.
fn check_linked(
    embedder: &Embedder,
    src: &Document,
    tgt: &Document,
    opts: &CheckOptions,
    fixed: Option<&[Link]>,
    extra: Vec<Finding>,
    known: &mut Known,
) -> Result<Report> {
    check_linked_with_similarities(embedder, src, tgt, opts, fixed, extra, known).map(|(r, _)| r)
}

/// Sentence vectors (with whether they were windowed and their token count) already computed
/// within one check, by text.
#[derive(Default)]
struct Known(std::collections::HashMap<String, (Vec<f32>, bool, usize)>);

impl Known {
    /// `embedder.embed` for the texts not seen yet; the others come from earlier calls.
    fn embed(&mut self, embedder: &Embedder, texts: &[&str]) -> Result<Embeddings> {
        let mut missing: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !self.0.contains_key(*t))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let fresh = if missing.is_empty() {
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
            self.0.insert(t.to_string(), (v, w, len));
        }
        let mut out = Embeddings {
            tokens: fresh.tokens,
            ..Embeddings::default()
        };
        for t in texts {
            let (v, w, len) = self
                .0
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
    src: &Document,
    tgt: &Document,
    opts: &CheckOptions,
    fixed: Option<&[Link]>,
    extra: Vec<Finding>,
    known: &mut Known,
) -> Result<(Report, SimilarityModel)> {
    check_size([src, tgt], opts.max_sentences)?;
    let start = Instant::now();
    let texts: Vec<&str> = src
        .sentences
        .iter()
        .chain(&tgt.sentences)
        .map(|s| s.text.as_str())
        .collect();
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
    let (n, m) = sim.dims();
    let links = match fixed {
        Some(l) => l.to_vec(),
        None => align::align(n, m, &|s, t| sim.link_score(s, t), &opts.align),
    };

    // Merged links are re-embedded as one text: the approximation guided the alignment, the
    // reported similarity is the model's own.
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
    let embed_s = start.elapsed().as_secs_f64();

    let cal = &opts.calibration;
    let reference = embedder.reference();
    let lang_pair = calibrate::lang_key(&src.lang, &tgt.lang);
    let mut merged_iter = merged_emb.vectors.chunks(2);
    let scored: Vec<ScoredLink> = links
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
            let judgement = reference.map(|r| r.reference.judge(&lang_pair, similarity));
            ScoredLink {
                link: l.clone(),
                similarity,
                z,
                score: cal.link_score(z, judgement.as_ref()),
                parts: sim.part_gains(&l.source, &l.target, similarity),
                reference: judgement,
            }
        })
        .collect();

    let gains = neighbour_gains(embedder, src, tgt, &scored, &sim)?;
    let ctx = checks::semantic::Context {
        src: &src.sentences,
        tgt: &tgt.sentences,
        links: &scored,
        sim: &sim,
        cal,
        src_cjk: lang::is_cjk(&src.lang),
        tgt_cjk: lang::is_cjk(&tgt.lang),
        neighbour_gains: &gains,
    };
    let mut findings = checks::semantic::run(&ctx);
    findings.extend(extra);
    let checks_start = Instant::now();
    findings.extend(run_link_checks(src, tgt, &scored, opts));
    findings.extend(truncations(embedder, src, tgt, &scored, &sim, tv)?);
    let checks_s = checks_start.elapsed().as_secs_f64();
    findings.extend(document_findings(
        src,
        tgt,
        &emb.windowed,
        embedder.max_tokens(),
    ));
    opts.rules.apply(&mut findings);
    drop_ignored(&mut findings, &opts.ignore)?;
    locate(&mut findings, src, tgt);
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.source.first().copied().unwrap_or(usize::MAX),
                f.target.first().copied().unwrap_or(usize::MAX),
            )
        };
        key(a).cmp(&key(b)).then(b.severity.cmp(&a.severity))
    });

    let score = score::document_score(&scored);
    let verdict = score::verdict(score, &findings, opts.min_score);
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
            })
            .collect::<Vec<_>>()
    };
    let round = |x: f32| (x as f64 * 1000.0).round() / 1000.0;
    let report = Report {
        version: REPORT_VERSION,
        source: doc_info(src),
        target: doc_info(tgt),
        model: embedder.info.clone(),
        calibration: CalibrationUsed::new(reference, &embedder.info.id, &lang_pair),
        score,
        verdict,
        counts: Report::count(&findings),
        alignments: scored
            .iter()
            .map(|l| {
                let unaligned = l.link.source.is_empty() || l.link.target.is_empty();
                Alignment {
                    source: l.link.source.clone().collect(),
                    target: l.link.target.clone().collect(),
                    similarity: (!unaligned).then(|| round(l.similarity)),
                    score: l.score,
                    z: (!unaligned).then(|| round(l.z)),
                    parts: l.parts.clone(),
                }
            })
            .collect(),
        findings,
        source_sentences: sentences_out(src, &emb.windowed[..n]),
        target_sentences: sentences_out(tgt, &emb.windowed[n..]),
        timing: Timing {
            load_s: 0.0,
            embed_s,
            checks_s,
            total_s: start.elapsed().as_secs_f64(),
        },
    };
    Ok((report, sim))
}

/// Runs the rule checks (`checks::link_checks`) over every link with both sides present.
fn run_link_checks(
    src: &Document,
    tgt: &Document,
    links: &[ScoredLink],
    opts: &CheckOptions,
) -> Vec<Finding> {
    let mut rules = checks::link_checks();
    if !opts.glossary.is_empty() {
        rules.push(Box::new(checks::glossary::Glossary {
            terms: opts.glossary.clone(),
        }));
    }
    let mut out = Vec::new();
    for l in links
        .iter()
        .filter(|l| !l.link.source.is_empty() && !l.link.target.is_empty())
    {
        let pair = pair_context(src, tgt, l);
        for rule in &rules {
            out.extend(rule.run(&pair));
        }
    }
    out
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

/// Findings about the documents as a whole: same language on both sides, windowed sentences.
fn document_findings(
    src: &Document,
    tgt: &Document,
    windowed: &[bool],
    max_tokens: usize,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if lang::primary(&src.lang) == lang::primary(&tgt.lang) && src.lang != "und" {
        let message = format!(
            "source and target are both {}{}; scores compare paraphrases, not a translation",
            src.lang,
            if src.lang_detected || tgt.lang_detected {
                " (detected; pass --src-lang/--tgt-lang if wrong)"
            } else {
                ""
            }
        );
        let evidence = json!({"source_lang": src.lang, "target_lang": tgt.lang});
        out.push(Finding::new(
            Kind::SameLanguage,
            Severity::Warning,
            (0..0, &[]),
            (0..0, &[]),
            message,
            evidence,
        ));
    }
    let n = src.sentences.len();
    for (k, &w) in windowed.iter().enumerate() {
        if !w {
            continue;
        }
        let (is_src, i) = if k < n { (true, k) } else { (false, k - n) };
        let message = format!("sentence is longer than the model's {max_tokens} tokens; embedded as overlapping windows, not truncated");
        let evidence = json!({"max_tokens": max_tokens});
        let (side, none): (checks::Side, checks::Side) = if is_src {
            ((i..i + 1, &src.sentences[i..i + 1]), (0..0, &[]))
        } else {
            ((i..i + 1, &tgt.sentences[i..i + 1]), (0..0, &[]))
        };
        let (source, target) = if is_src { (side, none) } else { (none, side) };
        out.push(Finding::new(
            Kind::LongSentence,
            Severity::Info,
            source,
            target,
            message,
            evidence,
        ));
    }
    out
}
