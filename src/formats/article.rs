//! Articles read from HTML, Markdown and DOCX: the text of their blocks (one paragraph each),
//! what must be copied unchanged (inline code, link targets), and for text formats a map from
//! every extracted character back to where it is in the original file.
//!
//! The readers (`html`, `markdown`, `docx`) push characters with their original byte ranges into
//! an [`ArticleBuilder`]; the builder collapses whitespace as a browser does and separates blocks
//! by blank lines, so that the sentence splitter sees each block as a paragraph of plain text.

use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FileFormat;

/// An article read from a structured file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub format: FileFormat,
    /// The blocks' text, separated by blank lines; whitespace inside a block is collapsed to
    /// single spaces, and hard line breaks (`<br>`, a Markdown hard break) are kept as `\n`.
    pub text: String,
    pub blocks: Vec<Block>,
    /// Items compared verbatim, not for meaning, in text order.
    pub verbatim: Vec<Verbatim>,
    /// The language the file declares (`<html lang>`, Markdown front matter `lang:`).
    pub lang: Option<String>,
    /// What the file holds beyond its text that a reviewer should know ("2 comments").
    pub notes: Vec<String>,
    /// For text formats: where `text` came from in the original file.
    pub origin: Option<Origin>,
}

/// One block of text: a heading, paragraph, list item, table cell, caption or alt text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Byte range in [`Article::text`].
    pub range: Range<usize>,
    /// What and where it is, for messages: "<h2>", "list item", "table 1, row 2, cell 3".
    pub label: String,
}

/// Inline code or a link target: compared like a placeholder, not embedded for meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verbatim {
    pub kind: VerbatimKind,
    pub text: String,
    /// Byte offset in [`Article::text`] where it stands (a link's target: where its text starts).
    pub at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerbatimKind {
    /// Inline code (`` `x` ``, `<code>`).
    Code,
    /// A link's or an image's target (`href`, `src`, `(url)`).
    Link,
}

/// A span of an original text file: 1-based lines and columns in Unicode code points, the end
/// exclusive (the column after the last character), as SARIF regions count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Where the extracted text came from in the original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    map: OffsetMap,
    /// The original text (line/column counting needs its characters).
    original: String,
}

/// Runs of a derived text (extracted or decoded), each standing for a range of the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct OffsetMap {
    runs: Vec<Run>,
}

/// Derived text from byte `text` on: copied from the original (`verbatim`: byte k of the run is
/// byte k of `orig`) or standing for `orig` as a whole (a decoded entity, collapsed whitespace, a
/// block separator).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    text: usize,
    orig: Range<usize>,
    verbatim: bool,
}

impl OffsetMap {
    /// Records that derived text from byte `t` on stands for `orig`; a verbatim run that
    /// continues the last one extends it.
    pub fn push(&mut self, t: usize, orig: Range<usize>, verbatim: bool) {
        let extends = self.runs.last().is_some_and(|r| {
            verbatim && r.verbatim && r.orig.end == orig.start && r.text + r.orig.len() == t
        });
        match self.runs.last_mut() {
            Some(r) if extends => r.orig.end = orig.end,
            _ => self.runs.push(Run {
                text: t,
                orig,
                verbatim,
            }),
        }
    }

    /// The original byte offset where the derived character at `t` starts.
    pub fn start_of(&self, t: usize) -> usize {
        match self.run_at(t) {
            Some(r) if r.verbatim => r.orig.start + (t - r.text),
            Some(r) => r.orig.start,
            None => 0,
        }
    }

    /// The original byte offset just after the derived character ending at `t` (exclusive).
    pub fn end_of(&self, t: usize) -> usize {
        if t == 0 {
            return self.start_of(0);
        }
        match self.run_at(t - 1) {
            Some(r) if r.verbatim => r.orig.start + (t - r.text),
            Some(r) => r.orig.end,
            None => 0,
        }
    }

    fn run_at(&self, t: usize) -> Option<&Run> {
        let k = self.runs.partition_point(|r| r.text <= t);
        k.checked_sub(1).map(|k| &self.runs[k])
    }

    /// Drops the runs from derived byte `t` on (text cut there). Runs are in text order, so only
    /// the last few go: a block's end must not cost a pass over the whole article.
    fn truncate(&mut self, t: usize) {
        while self.runs.last().is_some_and(|r| r.text >= t) {
            self.runs.pop();
        }
    }

    /// Appends `other`, whose derived text starts at byte `at` of this one.
    fn append(&mut self, other: OffsetMap, at: usize) {
        for mut r in other.runs {
            r.text += at;
            self.runs.push(r);
        }
    }
}

impl Origin {
    /// The original byte offset where the extracted character at `t` starts.
    pub fn start_of(&self, t: usize) -> usize {
        self.map.start_of(t)
    }

    /// The original byte offset just after the extracted character ending at `t` (exclusive).
    pub fn end_of(&self, t: usize) -> usize {
        self.map.end_of(t)
    }

    /// The original text of bytes `range` (empty when out of range or not on character
    /// boundaries).
    pub fn original(&self, range: Range<usize>) -> &str {
        self.original.get(range).unwrap_or_default()
    }

    /// 1-based line and code-point column of an original byte offset.
    pub fn line_column(&self, orig: usize) -> (usize, usize) {
        let r = self.region(orig..orig);
        (r.start_line, r.start_column)
    }

    /// The region of original bytes `range`.
    pub fn region(&self, range: Range<usize>) -> Region {
        self.regions(std::slice::from_ref(&range))[0]
    }

    /// The regions of original byte ranges, found in one pass over the file: a minified page is
    /// one long line, where counting each column from its line's start would be quadratic.
    pub fn regions(&self, ranges: &[Range<usize>]) -> Vec<Region> {
        let text = self.original.as_str();
        // Every start and end, in file order, with the slot its line and column go to.
        let mut points: Vec<(usize, usize)> = ranges
            .iter()
            .enumerate()
            .flat_map(|(k, r)| [(r.start, 2 * k), (r.end.max(r.start), 2 * k + 1)])
            .map(|(at, slot)| (floor_char_boundary(text, at.min(text.len())), slot))
            .collect();
        points.sort_unstable();
        let mut found = vec![(1, 1); points.len()];
        let (mut pos, mut line, mut column) = (0, 1, 1);
        for (at, slot) in points {
            for c in text[pos..at].chars() {
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            pos = at;
            found[slot] = (line, column);
        }
        (0..ranges.len())
            .map(|k| Region {
                start_line: found[2 * k].0,
                start_column: found[2 * k].1,
                end_line: found[2 * k + 1].0,
                end_column: found[2 * k + 1].1,
            })
            .collect()
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A block waiting for the current one to end: alt and title text shown beside the running
/// text, not inside its sentences.
#[derive(Debug, Default)]
struct Side {
    text: String,
    map: OffsetMap,
    label: String,
}

/// Builds an [`Article`]: characters in, blocks out.
#[derive(Debug)]
pub(super) struct ArticleBuilder {
    text: String,
    map: OffsetMap,
    blocks: Vec<Block>,
    verbatim: Vec<Verbatim>,
    /// Start of the current block in `text`, and its label.
    block_start: usize,
    label: String,
    /// A space is owed before the next character (collapsed whitespace), and where it was.
    space: Option<Range<usize>>,
    /// Blocks to emit after the current one.
    side: Vec<Side>,
    /// Where new characters go: the running text, or the last side block.
    in_side: bool,
    /// Original offset of the last character pushed: separators point there.
    last_orig: usize,
}

impl ArticleBuilder {
    pub fn new() -> Self {
        ArticleBuilder {
            text: String::new(),
            map: OffsetMap::default(),
            blocks: Vec::new(),
            verbatim: Vec::new(),
            block_start: 0,
            label: String::new(),
            space: None,
            side: Vec::new(),
            in_side: false,
            last_orig: 0,
        }
    }

    /// Adds `s`, which stands for original bytes `orig`: verbatim when `s` is exactly what the
    /// original has there (then each character keeps its own position).
    pub fn push_str(&mut self, s: &str, orig: Range<usize>) {
        let verbatim = s.len() == orig.len();
        let mut offset = orig.start;
        for c in s.chars() {
            let at = if verbatim {
                offset..offset + c.len_utf8()
            } else {
                orig.clone()
            };
            self.push_char(c, at);
            offset += c.len_utf8();
        }
    }

    /// Adds one character standing for original bytes `orig`. Whitespace collapses to one space
    /// between words; none is kept at a block's start or end.
    pub fn push_char(&mut self, c: char, orig: Range<usize>) {
        self.last_orig = orig.end;
        if c.is_whitespace() {
            if self.current_len() > 0 && self.space.is_none() {
                self.space = Some(orig);
            }
            return;
        }
        if let Some(space) = self.space.take() {
            self.append(' ', space, false);
        }
        let verbatim = orig.len() == c.len_utf8();
        self.append(c, orig, verbatim);
    }

    /// A hard line break inside the block (`<br>`): a line end in the text, as in plain text.
    pub fn line_break(&mut self, orig: Range<usize>) {
        if self.current_len() > 0 {
            self.space = None;
            self.append('\n', orig, false);
        }
    }

    /// Inline code or a link target at the current position of the running text.
    pub fn verbatim(&mut self, kind: VerbatimKind, text: &str) {
        let text = text.trim();
        if !text.is_empty() {
            // After a pending space, the next character is one byte further on.
            let at = self.text.len() + usize::from(self.space.is_some() && !self.in_side);
            self.verbatim.push(Verbatim {
                kind,
                text: text.to_string(),
                at,
            });
        }
    }

    /// Starts a side block (alt or title text): what is pushed until [`ArticleBuilder::end_side`]
    /// becomes a block of its own after the current one.
    pub fn start_side(&mut self, label: &str) {
        self.flush_space();
        self.side.push(Side {
            label: label.to_string(),
            ..Side::default()
        });
        self.in_side = true;
    }

    /// Ends the side block; outside running text (an image on its own) it is emitted at once,
    /// so that it keeps its place among the blocks.
    pub fn end_side(&mut self) {
        self.space = None;
        self.in_side = false;
        if self.text.len() == self.block_start {
            self.end_block();
        }
    }

    /// A side block with the text of an attribute, all of it standing for `orig`.
    pub fn side_block(&mut self, label: &str, text: &str, orig: Range<usize>) {
        self.start_side(label);
        self.push_str(text, orig);
        self.end_side();
    }

    /// Labels the current block (the label of the element that holds its first character).
    pub fn set_label(&mut self, label: &str) {
        if self.text.len() == self.block_start && !self.in_side {
            self.label = label.to_string();
        }
    }

    /// Ends the current block, then the side blocks waiting for it; whether the current block
    /// had text (and became a block).
    pub fn end_block(&mut self) -> bool {
        self.space = None;
        self.in_side = false;
        let (start, end) = (self.block_start, self.text.len());
        let label = std::mem::take(&mut self.label);
        let recorded = self.close(start, end, label);
        for side in std::mem::take(&mut self.side) {
            let trimmed = side.text.trim_end().len();
            if trimmed == 0 {
                continue;
            }
            let start = self.text.len();
            self.map.append(side.map, start);
            self.text.push_str(&side.text[..trimmed]);
            self.close(start, self.text.len(), side.label);
        }
        recorded
    }

    /// Records block `start..end` of `text` (when it has text) and starts the next one.
    fn close(&mut self, start: usize, end: usize, label: String) -> bool {
        let end = start + self.text[start..end].trim_end().len();
        self.text.truncate(end);
        self.map.truncate(end);
        if end > start {
            self.blocks.push(Block {
                range: start..end,
                label,
            });
            let at = self.last_orig;
            self.map.push(end, at..at, false);
            self.text.push_str("\n\n");
        }
        self.block_start = self.text.len();
        end > start
    }

    fn flush_space(&mut self) {
        if let Some(space) = self.space.take() {
            self.append(' ', space, false);
        }
    }

    /// Length of the block being built (the running block or the open side block).
    fn current_len(&self) -> usize {
        if self.in_side {
            self.side.last().map_or(0, |s| s.text.len())
        } else {
            self.text.len() - self.block_start
        }
    }

    fn append(&mut self, c: char, orig: Range<usize>, verbatim: bool) {
        let (text, map) = match (self.in_side, self.side.last_mut()) {
            (true, Some(side)) => (&mut side.text, &mut side.map),
            _ => (&mut self.text, &mut self.map),
        };
        map.push(text.len(), orig, verbatim);
        text.push(c);
    }

    /// The article; `original` is the file's text for text formats (positions are kept), `None`
    /// for DOCX (blocks are located by their labels).
    pub fn finish(mut self, format: FileFormat, original: Option<&str>) -> Article {
        self.end_block();
        let end = self.text.trim_end().len();
        self.text.truncate(end);
        // An item after the last character (an empty link at the end) stands at the end.
        for v in &mut self.verbatim {
            v.at = v.at.min(end);
        }
        let origin = original.map(|o| Origin {
            map: self.map,
            original: o.to_string(),
        });
        Article {
            format,
            text: self.text,
            blocks: self.blocks,
            verbatim: self.verbatim,
            lang: None,
            notes: Vec::new(),
            origin,
        }
    }
}

impl Article {
    /// The block holding byte `t` of the text (the last one starting at or before it).
    pub fn block_at(&self, t: usize) -> Option<&Block> {
        let k = self.blocks.partition_point(|b| b.range.start <= t);
        k.checked_sub(1).map(|k| &self.blocks[k])
    }

    /// Each block's label and text.
    pub fn labelled_blocks(&self) -> Vec<(&str, &str)> {
        self.blocks
            .iter()
            .map(|b| (b.label.as_str(), &self.text[b.range.clone()]))
            .collect()
    }

    /// The verbatim items' kinds and texts.
    pub fn verbatim_items(&self) -> Vec<(VerbatimKind, &str)> {
        self.verbatim
            .iter()
            .map(|v| (v.kind, v.text.as_str()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_and_blocks_are_paragraphs() {
        let orig = "<p>  Hello\n  world </p><p>Two</p>";
        let mut b = ArticleBuilder::new();
        b.set_label("<p>");
        b.push_str("  Hello\n  world ", 3..19);
        b.end_block();
        b.set_label("<p>");
        b.push_str("Two", 26..29);
        let a = b.finish(FileFormat::Html, Some(orig));
        assert_eq!(a.text, "Hello world\n\nTwo");
        assert_eq!(a.blocks.len(), 2);
        assert_eq!(a.blocks[1].range, 13..16);
        let o = a.origin.as_ref().unwrap();
        // "world" starts at byte 13 of the original, "Two" at 26; the end is exclusive.
        assert_eq!(o.start_of(6), 13);
        assert_eq!(o.end_of(11), 18);
        assert_eq!(o.start_of(13), 26);
        assert_eq!(o.line_column(13), (2, 3));
        assert_eq!(
            o.region(13..18),
            Region {
                start_line: 2,
                start_column: 3,
                end_line: 2,
                end_column: 8
            }
        );
    }

    #[test]
    fn regions_on_one_long_line_take_one_pass() {
        // A minified page: 1.5 MB on one line, 100,000 sentences.
        let orig = "Ab. ".repeat(400_000);
        let mut b = ArticleBuilder::new();
        b.push_str(&orig, 0..orig.len());
        let a = b.finish(FileFormat::Html, Some(&orig));
        let o = a.origin.as_ref().unwrap();
        let ranges: Vec<Range<usize>> = (0..100_000).map(|k| 16 * k..16 * k + 3).collect();
        let t = std::time::Instant::now();
        let regions = o.regions(&ranges);
        assert!(t.elapsed().as_secs_f64() < 1.0, "{:?}", t.elapsed());
        assert_eq!(
            regions[99_999],
            Region {
                start_line: 1,
                start_column: 1_599_985,
                end_line: 1,
                end_column: 1_599_988
            }
        );
    }

    #[test]
    fn many_blocks_build_in_linear_time() {
        // Ending a block once cost a pass over every run so far: 5.7 s for a 1.7 MB page.
        let t = std::time::Instant::now();
        let mut b = ArticleBuilder::new();
        for k in 0..100_000 {
            b.push_str("A &amp; B.", 16 * k..16 * k + 6);
            b.end_block();
        }
        let a = b.finish(FileFormat::Html, None);
        assert_eq!(a.blocks.len(), 100_000);
        assert!(t.elapsed().as_secs_f64() < 1.0, "{:?}", t.elapsed());
    }

    #[test]
    fn an_empty_link_at_the_end_stands_at_the_end() {
        // Found by the `formats` fuzz target: a link target recorded after a pending space.
        let mut b = ArticleBuilder::new();
        b.push_str("Last words ", 0..11);
        b.verbatim(VerbatimKind::Link, "#top");
        let a = b.finish(FileFormat::Html, None);
        assert_eq!((a.text.as_str(), a.verbatim[0].at), ("Last words", 10));
    }

    #[test]
    fn a_decoded_entity_stands_for_its_whole_source() {
        let orig = "A &amp; B";
        let mut b = ArticleBuilder::new();
        b.push_str("A ", 0..2);
        b.push_str("&", 2..7);
        b.push_str(" B", 7..9);
        let a = b.finish(FileFormat::Html, Some(orig));
        assert_eq!(a.text, "A & B");
        let o = a.origin.as_ref().unwrap();
        assert_eq!((o.start_of(2), o.end_of(3)), (2, 7));
        assert_eq!(o.start_of(4), 8);
    }

    #[test]
    fn side_blocks_follow_the_block_they_interrupt() {
        let mut b = ArticleBuilder::new();
        b.push_str("See the map ", 0..12);
        b.side_block("alt text of <img>", "Map of the river", 20..36);
        b.push_str("below.", 40..46);
        b.verbatim(VerbatimKind::Link, "map.png");
        let a = b.finish(FileFormat::Html, None);
        assert_eq!(a.text, "See the map below.\n\nMap of the river");
        assert_eq!(a.blocks[1].label, "alt text of <img>");
        assert_eq!(a.verbatim[0].at, 18);
        assert_eq!(
            a.block_at(25).map(|b| b.label.as_str()),
            Some("alt text of <img>")
        );
    }
}
