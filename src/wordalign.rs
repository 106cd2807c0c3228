//! Word alignment inside a sentence link, SimAlign-style: words from the encoder's tokens, the
//! cosine matrix of their hidden states, and links by mutual argmax (optionally iterated), each
//! word with its partners and a confidence. Pure: it takes token spans and vectors, so it is
//! tested with hand-made vectors and needs no model.

use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::text::is_wide_char;
use crate::util::vector::{dot, normalized};

/// How words are cut from tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    /// Running text: a word ends at whitespace, at punctuation, and after every token of a script
    /// written without spaces (whose tokenizer pieces are the closest thing to words).
    Natural,
    /// Pre-tokenised text (gold alignment sets): words are what whitespace separates.
    Whitespace,
}

/// How links are chosen from the similarity matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Words that are each other's most similar (high precision).
    Argmax,
    /// Argmax, then a second round among words left unaligned, where an already aligned partner
    /// counts at 0.9 of its similarity (SimAlign's default: better recall).
    Itermax,
}

/// A word of a sentence: its byte range in the text and the tokens it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub span: Range<usize>,
    pub tokens: Range<usize>,
}

/// One word of a link and what it aligns to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AlignedWord {
    pub text: String,
    /// Byte range in the link's text (its sentences joined as the report shows them).
    pub start: usize,
    pub end: usize,
    /// Indices of the words on the other side it is aligned to (empty: none).
    pub partners: Vec<usize>,
    /// Cosine similarity to its best partner, or to the most similar word on the other side when
    /// it has none.
    pub confidence: f32,
}

/// The best partner confidence among the words of `side` overlapping byte range `r` of the
/// link's text, a word without a partner counting 0; `None` when no word overlaps it.
pub fn partner_confidence(side: &[AlignedWord], r: Range<usize>) -> Option<f32> {
    side.iter()
        .filter(|w| w.start < r.end && r.start < w.end)
        .map(|w| {
            if w.partners.is_empty() {
                0.0
            } else {
                w.confidence
            }
        })
        .reduce(f32::max)
}

/// Words of at least this many letters or digits count as content (shorter ones are mostly
/// particles and punctuation that languages use differently).
const MIN_CONTENT_CHARS: usize = 3;

impl AlignedWord {
    /// A word worth pointing at or counting: at least 3 letters or digits, or a CJK character.
    pub fn is_content(&self) -> bool {
        self.text.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_CONTENT_CHARS
            || self.text.chars().any(is_wide_char)
    }
}

/// The word alignment of one link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WordAlignment {
    pub source: Vec<AlignedWord>,
    pub target: Vec<AlignedWord>,
}

impl WordAlignment {
    /// The share of the link's content words (both sides, `AlignedWord::is_content`) that have
    /// a partner on the other side: near 1 for a translation, low for unrelated sentences.
    pub fn aligned_share(&self) -> f64 {
        let (mut all, mut paired) = (0usize, 0usize);
        for w in self
            .source
            .iter()
            .chain(&self.target)
            .filter(|w| w.is_content())
        {
            all += 1;
            paired += usize::from(!w.partners.is_empty());
        }
        if all == 0 {
            return 1.0;
        }
        crate::util::round3(paired as f64 / all as f64)
    }

    /// Aligns the words of `src` and `tgt` (texts with their tokens' spans and hidden states).
    pub fn build(
        src: (&str, &[Range<usize>], &[Vec<f32>]),
        tgt: (&str, &[Range<usize>], &[Vec<f32>]),
        words_by: Words,
        method: Method,
    ) -> Self {
        let sw = words(src.0, src.1, words_by);
        let tw = words(tgt.0, tgt.1, words_by);
        let sv = word_vectors(&sw, src.2);
        let tv = word_vectors(&tw, tgt.2);
        let (m, n) = (sv.len(), tv.len());
        let sim: Vec<f32> = sv
            .iter()
            .flat_map(|a| tv.iter().map(move |b| dot(a, b)))
            .collect();
        let links = align(&sim, m, n, method);
        let side = |text: &str, ws: &[Word], rows: bool| -> Vec<AlignedWord> {
            ws.iter()
                .enumerate()
                .map(|(k, w)| {
                    let at = |o: usize| if rows { sim[k * n + o] } else { sim[o * n + k] };
                    let others = if rows { n } else { m };
                    let partners: Vec<usize> = links
                        .iter()
                        .filter_map(|&(i, j)| {
                            if rows {
                                (i == k).then_some(j)
                            } else {
                                (j == k).then_some(i)
                            }
                        })
                        .collect();
                    let pool: Vec<usize> = if partners.is_empty() {
                        (0..others).collect()
                    } else {
                        partners.clone()
                    };
                    let confidence = pool.iter().map(|&o| at(o)).fold(f32::NAN, f32::max);
                    AlignedWord {
                        text: text[w.span.clone()].to_string(),
                        start: w.span.start,
                        end: w.span.end,
                        partners,
                        confidence: if confidence.is_finite() {
                            confidence
                        } else {
                            0.0
                        },
                    }
                })
                .collect()
        };
        WordAlignment {
            source: side(src.0, &sw, true),
            target: side(tgt.0, &tw, false),
        }
    }

    /// The links as (source word, target word) pairs, in source order.
    pub fn links(&self) -> Vec<(usize, usize)> {
        self.source
            .iter()
            .enumerate()
            .flat_map(|(i, w)| w.partners.iter().map(move |&j| (i, j)))
            .collect()
    }
}

/// Cuts `text` into words from its tokens' byte `spans` (tokens that cover only whitespace are
/// left out).
pub fn words(text: &str, spans: &[Range<usize>], by: Words) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut prev_punct = false;
    for (k, span) in spans.iter().enumerate() {
        let Some(piece) = text.get(span.clone()) else {
            continue;
        };
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        if lead + trail >= piece.len() {
            continue;
        }
        let span = span.start + lead..span.end - trail;
        let piece = &text[span.clone()];
        // A separator between digits stays inside its number ("400,000", "3.5", "12:30").
        let in_number = matches!(piece, "," | "." | ":")
            && out.last().is_some_and(|w| {
                w.span.end == span.start
                    && text[..span.start].ends_with(|c: char| c.is_ascii_digit())
            })
            && text[span.end..].starts_with(|c: char| c.is_ascii_digit());
        let punct = !in_number && piece.chars().all(|c| !c.is_alphanumeric());
        let cjk = piece.chars().any(unspaced);
        let joins = out.last().is_some_and(|w| {
            let gap = &text[w.span.end.min(span.start)..span.start];
            let spaced = !gap.is_empty() && gap.chars().any(char::is_whitespace);
            match by {
                Words::Whitespace => !spaced,
                Words::Natural => {
                    !spaced
                        && !punct
                        && !prev_punct
                        && !cjk
                        && !text[w.span.clone()].chars().any(unspaced)
                }
            }
        });
        match out.last_mut() {
            Some(w) if joins => {
                w.span.end = span.end.max(w.span.end);
                w.tokens.end = k + 1;
            }
            _ => out.push(Word {
                span,
                tokens: k..k + 1,
            }),
        }
        prev_punct = punct;
    }
    out
}

/// Characters of scripts written without spaces between words (kana, Han, Thai), where the
/// tokenizer's pieces stand in for words. Hangul is written with spaces.
fn unspaced(c: char) -> bool {
    (is_wide_char(c) && !matches!(c as u32, 0xAC00..=0xD7AF)) || matches!(c as u32, 0x0E00..=0x0E7F)
}

/// Each word's vector: the mean of its tokens' states, normalised.
fn word_vectors(words: &[Word], states: &[Vec<f32>]) -> Vec<Vec<f32>> {
    words
        .iter()
        .map(|w| {
            let rows = &states[w.tokens.clone()];
            let dim = rows.first().map_or(0, Vec::len);
            let mut v = vec![0.0f32; dim];
            for r in rows {
                for (a, b) in v.iter_mut().zip(r) {
                    *a += b;
                }
            }
            normalized(v)
        })
        .collect()
}

/// The encoder layer whose hidden states align words by default, as a fraction of the model's
/// depth: layer 7 of 12 had the lowest alignment error rate on the gold sets of
/// docs/word-alignment.md (6 was as good, 4 and 10 clearly worse).
pub fn default_layer(num_layers: usize) -> usize {
    ((num_layers * 7 + 6) / 12).max(1)
}

/// Links of an `m`×`n` row-major similarity matrix, sorted.
pub fn align(sim: &[f32], m: usize, n: usize, method: Method) -> Vec<(usize, usize)> {
    let mut links = mutual_argmax(sim, m, n, |_, _| 1.0);
    if method == Method::Itermax && m.min(n) > 2 {
        let mut row_done = vec![false; m];
        let mut col_done = vec![false; n];
        for &(i, j) in &links {
            row_done[i] = true;
            col_done[j] = true;
        }
        if row_done.iter().any(|d| !d) && col_done.iter().any(|d| !d) {
            // A word may take a second partner, but only one that is itself still unaligned.
            let weight = |i: usize, j: usize| match (row_done[i], col_done[j]) {
                (false, false) => 1.0,
                (true, true) => 0.0,
                _ => 0.9,
            };
            links.extend(mutual_argmax(sim, m, n, weight));
        }
    }
    links.sort_unstable();
    links.dedup();
    links
}

/// Pairs (i, j) where j is row i's best column and i is column j's best row, under `weight`
/// (a weight of 0 excludes the cell).
fn mutual_argmax(
    sim: &[f32],
    m: usize,
    n: usize,
    weight: impl Fn(usize, usize) -> f32,
) -> Vec<(usize, usize)> {
    let cell = |i: usize, j: usize| {
        let w = weight(i, j);
        (w > 0.0).then(|| sim[i * n + j] * w)
    };
    let best_col: Vec<Option<usize>> = (0..m)
        .map(|i| argmax((0..n).filter_map(|j| cell(i, j).map(|v| (j, v)))))
        .collect();
    let best_row: Vec<Option<usize>> = (0..n)
        .map(|j| argmax((0..m).filter_map(|i| cell(i, j).map(|v| (i, v)))))
        .collect();
    best_col
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.filter(|&j| best_row[j] == Some(i)).map(|j| (i, j)))
        .collect()
}

fn argmax(items: impl Iterator<Item = (usize, f32)>) -> Option<usize> {
    items
        .fold(None, |best: Option<(usize, f32)>, (k, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((k, v)),
        })
        .map(|(k, _)| k)
}

/// Alignment error rate (Och & Ney) of `predicted` links against gold `sure` and `possible`
/// links (sure links count as possible too), with precision and recall: summed over sentences.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AerCounts {
    pub predicted: usize,
    pub sure: usize,
    pub hit_sure: usize,
    pub hit_possible: usize,
}

impl AerCounts {
    /// Adds one sentence's links; `possible` includes the sure links.
    pub fn add(
        &mut self,
        predicted: &[(usize, usize)],
        sure: &[(usize, usize)],
        possible: &[(usize, usize)],
    ) {
        self.predicted += predicted.len();
        self.sure += sure.len();
        self.hit_sure += predicted.iter().filter(|l| sure.contains(l)).count();
        self.hit_possible += predicted.iter().filter(|l| possible.contains(l)).count();
    }

    pub fn aer(&self) -> f64 {
        let denom = (self.predicted + self.sure) as f64;
        if denom == 0.0 {
            return 0.0;
        }
        1.0 - (self.hit_sure + self.hit_possible) as f64 / denom
    }
    pub fn precision(&self) -> f64 {
        self.hit_possible as f64 / self.predicted.max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.hit_sure as f64 / self.sure.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans_of(text: &str) -> Vec<Range<usize>> {
        // One token per whitespace-separated piece, with a trailing "," split off.
        let mut out = Vec::new();
        let mut at = 0;
        for piece in text.split(' ') {
            let end = at + piece.len();
            if let Some(stripped) = piece.strip_suffix(',') {
                out.push(at..at + stripped.len());
                out.push(at + stripped.len()..end);
            } else {
                out.push(at..end);
            }
            at = end + 1;
        }
        out
    }

    #[test]
    fn natural_words_split_punctuation_and_cjk_pieces_but_join_subwords() {
        // "Unbelievable" is two tokens; "," one; "東京都" three pieces after a space.
        let text = "Unbelievable, 東京都";
        let spans = vec![0..2, 2..12, 12..13, 14..17, 17..20, 20..23];
        let w = words(text, &spans, Words::Natural);
        let got: Vec<&str> = w.iter().map(|w| &text[w.span.clone()]).collect();
        assert_eq!(got, ["Unbelievable", ",", "東", "京", "都"]);
        assert_eq!(w[0].tokens, 0..2);
        let ws = words(text, &spans, Words::Whitespace);
        let got: Vec<&str> = ws.iter().map(|w| &text[w.span.clone()]).collect();
        assert_eq!(got, ["Unbelievable,", "東京都"]);
    }

    #[test]
    fn numbers_keep_their_separators_but_sentence_punctuation_is_a_word() {
        let text = "400,000 people, 3.5 m.";
        let spans = vec![
            0..3,
            3..4,
            4..7,
            7..14,
            14..15,
            15..17,
            17..18,
            18..19,
            19..21,
            21..22,
        ];
        let w = words(text, &spans, Words::Natural);
        let got: Vec<&str> = w.iter().map(|w| &text[w.span.clone()]).collect();
        assert_eq!(got, ["400,000", "people", ",", "3.5", "m", "."]);
    }

    #[test]
    fn tokens_covering_only_whitespace_are_not_words() {
        let text = "a  b";
        let w = words(text, &[0..1, 1..3, 3..4], Words::Natural);
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].span, 3..4);
    }

    #[test]
    fn argmax_keeps_mutual_best_pairs_only() {
        // Row 2 prefers column 0, which prefers row 0: no link for row 2.
        let sim = [0.9, 0.1, 0.2, 0.8, 0.7, 0.3];
        assert_eq!(align(&sim, 3, 2, Method::Argmax), vec![(0, 0), (1, 1)]);
    }

    #[test]
    fn itermax_adds_a_second_round_among_unaligned_words() {
        // 3×3: rows 0 and 1 both prefer column 0; row 1's second choice, column 2, wins the
        // second round because an aligned column counts at 0.9 (0.675 < 0.7).
        let sim = [
            0.9, 0.1, 0.1, //
            0.75, 0.1, 0.7, //
            0.1, 0.9, 0.1,
        ];
        assert_eq!(align(&sim, 3, 3, Method::Argmax), vec![(0, 0), (2, 1)]);
        assert_eq!(
            align(&sim, 3, 3, Method::Itermax),
            vec![(0, 0), (1, 2), (2, 1)]
        );
    }

    #[test]
    fn build_reports_partners_and_confidence_per_word() {
        let src = "big house";
        let tgt = "maison grande";
        let e = |k: usize| {
            let mut v = vec![0.0; 3];
            v[k] = 1.0;
            v
        };
        let ss = spans_of(src);
        let ts = spans_of(tgt);
        let wa = WordAlignment::build(
            (src, &ss, &[e(0), e(1)]),
            (tgt, &ts, &[e(1), vec![0.9, 0.0, 0.1]]),
            Words::Natural,
            Method::Argmax,
        );
        assert_eq!(wa.links(), vec![(0, 1), (1, 0)]);
        assert_eq!(wa.target[0].text, "maison");
        assert!((wa.source[1].confidence - 1.0).abs() < 1e-6);
        assert!(wa.source[0].confidence < 1.0);
    }

    #[test]
    fn default_layer_is_seven_twelfths_down() {
        assert_eq!(default_layer(12), 7);
        assert_eq!(default_layer(6), 4);
        assert_eq!(default_layer(1), 1);
    }

    #[test]
    fn aer_is_zero_for_the_gold_sure_links_and_one_for_none_right() {
        let mut c = AerCounts::default();
        c.add(
            &[(0, 0), (1, 1)],
            &[(0, 0), (1, 1)],
            &[(0, 0), (1, 1), (1, 2)],
        );
        assert_eq!(c.aer(), 0.0);
        let mut c = AerCounts::default();
        c.add(&[(0, 1)], &[(0, 0)], &[(0, 0)]);
        assert_eq!(c.aer(), 1.0);
        assert_eq!(c.precision(), 0.0);
    }
}
