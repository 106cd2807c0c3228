//! Comparisons of a finding that its link's word alignment shows rendered after all: a word aligned
//! confidently to a word of the other side is translated there, whatever the word lists said
//! ("Banco Mundial" → "World Bank" is no replaced name, "the two territories" → "die beiden
//! Gebiete" no lost number). Shared by the entity and number checks.

use serde_json::json;

use super::{Finding, PairContext, Severity, Span};
use crate::util::round3;
use crate::wordalign::{partner_confidence, AlignedWord, WordAlignment};

/// A word aligned to a word of the other side with at least this confidence is rendered there.
/// Names: translated words of a name scored 0.73-0.87 on WMT22 pt-en dev, swapped names
/// ("Trump" → "Clinton", "Stanford" → "Harvard") 0.53-0.66 (docs/quality.md, "Names").
pub const RENDERED_CONFIDENCE: f32 = 0.7;

/// A name of the target that its source spells nowhere is rendered there (transliterated) when
/// its word aligns with at least this confidence. Source in an alphabet or in German: chosen on
/// MLQE-PE ru-en train post-edits with names swapped (0.6: 57% of 300 swaps found, 4% of their
/// clean twins flagged); in Chinese or Japanese, whose alignment is weaker (ja-en AER .58), on
/// MLQE-PE en-zh and WMT21 en-ja dev turned round (0.45). docs/quality.md, "New names".
pub const NEW_NAME_CONFIDENCE: f32 = 0.6;
pub const NEW_NAME_CONFIDENCE_CJK: f32 = 0.45;

/// One comparison of a finding: its index in the evidence array, its words on each side (`None`
/// where a side has none), and how its part of the message starts and ends.
pub struct Item {
    pub index: usize,
    pub source: Option<String>,
    pub target: Option<String>,
    pub part: (String, &'static str),
    /// The partner confidence at which a word of this comparison is rendered.
    pub rendered_at: f32,
}

/// The evidence array `key` of `f`, as (index, item) pairs.
pub fn evidence_items<'a>(
    f: &'a Finding,
    key: &str,
) -> impl Iterator<Item = (usize, &'a serde_json::Value)> {
    f.evidence
        .get(key)
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .enumerate()
}

/// Records each item's partner confidence in its evidence (`source_partner_confidence`,
/// `target_partner_confidence`: the best among the words under the first span showing it, 0
/// without a partner) and drops the items whose word on either side reaches
/// its `rendered_at` confidence, with their message parts and one span each; the finding is dropped when
/// no part is left, and its severity is the highest left. Without a word alignment `f` stands.
pub fn drop_rendered(
    pair: &PairContext,
    mut f: Finding,
    key: &str,
    items: Vec<Item>,
    words: Option<&WordAlignment>,
) -> Option<Finding> {
    let Some(words) = words else { return Some(f) };
    // The words under the first span showing `text` (0 where none has a partner).
    let confidence = |spans: &[Span], side: &[AlignedWord], text: &str, on_source: bool| {
        let span = spans.iter().find(|s| s.text == text)?;
        let best = partner_confidence(side, pair.link_range(span, on_source));
        Some(best.unwrap_or(0.0).max(0.0))
    };
    let mut dropped = Vec::new();
    for item in items {
        let ca = item
            .source
            .as_deref()
            .and_then(|a| confidence(&f.source_spans, &words.source, a, true));
        let cb = item
            .target
            .as_deref()
            .and_then(|b| confidence(&f.target_spans, &words.target, b, false));
        if let Some(e) = f.evidence[key]
            .get_mut(item.index)
            .and_then(|e| e.as_object_mut())
        {
            let shown = |c: Option<f32>| json!(c.map(round3));
            e.insert("source_partner_confidence".into(), shown(ca));
            e.insert("target_partner_confidence".into(), shown(cb));
        }
        if [ca, cb]
            .into_iter()
            .any(|c| c.is_some_and(|c| c >= item.rendered_at))
        {
            dropped.push(item);
        }
    }
    if dropped.is_empty() {
        return Some(f);
    }
    let mut parts: Vec<&str> = f.message.split("; ").collect();
    for item in &dropped {
        let (start, end) = (&item.part.0, item.part.1);
        if let Some(p) = parts
            .iter()
            .position(|p| p.starts_with(start.as_str()) && p.ends_with(end))
        {
            parts.remove(p);
        }
        let take = |spans: &mut Vec<Span>, text: &Option<String>| {
            if let Some(p) = text
                .as_ref()
                .and_then(|t| spans.iter().position(|s| &s.text == t))
            {
                spans.remove(p);
            }
        };
        take(&mut f.source_spans, &item.source);
        take(&mut f.target_spans, &item.target);
    }
    if parts.is_empty() {
        return None;
    }
    f.message = parts.join("; ");
    let list = f.evidence[key].as_array_mut()?;
    let mut k = 0;
    list.retain(|_| {
        k += 1;
        !dropped.iter().any(|d| d.index == k - 1)
    });
    f.severity = list
        .iter()
        .filter_map(|e| serde_json::from_value::<Severity>(e.get("severity")?.clone()).ok())
        .max()
        .unwrap_or(f.severity);
    Some(f)
}
