//! Markdown articles (CommonMark with GitHub's tables, footnotes and strikethrough, through
//! pulldown-cmark): headings, paragraphs, list items, table cells, image alt text and link text
//! are read; code blocks and front matter are not. Inline code and link targets are kept aside to
//! be compared verbatim.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use super::article::{Article, ArticleBuilder, VerbatimKind};
use super::xml::MAX_DEPTH;
use super::FileFormat;

/// What is being read: running text, or text that is not checked (code, front matter, HTML).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Skip,
    FrontMatter,
}

/// Reads a Markdown document.
pub(super) fn parse(text: &str) -> Result<Article, String> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let mut b = ArticleBuilder::new();
    // Labels of the open blocks, innermost last; the one on top names new text.
    let mut labels: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut mode = Mode::Text;
    let mut front_matter = String::new();
    let (mut tables, mut row, mut cell, mut footnotes) = (0usize, 0usize, 0usize, 0usize);
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!(
                        "line {}: blocks and spans nested more than {MAX_DEPTH} levels deep",
                        line_of(range.start)
                    ));
                }
                let block = is_block(&tag);
                if block {
                    b.end_block();
                }
                let parent = labels.last().cloned().unwrap_or_default();
                let label = match &tag {
                    Tag::Heading { level, .. } => format!("heading {}", *level as usize),
                    Tag::Paragraph if !parent.is_empty() => parent,
                    Tag::Paragraph => "paragraph".into(),
                    Tag::BlockQuote(_) => "block quote".into(),
                    Tag::Item => "list item".into(),
                    Tag::Table(_) => {
                        tables += 1;
                        row = 0;
                        parent
                    }
                    Tag::TableHead | Tag::TableRow => {
                        row += 1;
                        cell = 0;
                        parent
                    }
                    Tag::TableCell => {
                        cell += 1;
                        format!("table {tables}, row {row}, cell {cell}")
                    }
                    Tag::FootnoteDefinition(_) => {
                        footnotes += 1;
                        format!("footnote {footnotes}")
                    }
                    Tag::DefinitionListTitle => "term".into(),
                    Tag::DefinitionListDefinition => "definition".into(),
                    _ => parent,
                };
                match &tag {
                    Tag::CodeBlock(_) | Tag::HtmlBlock => mode = Mode::Skip,
                    Tag::MetadataBlock(_) => mode = Mode::FrontMatter,
                    Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        ..
                    } => {
                        // An autolink's text is its target: the text itself is compared.
                        if !matches!(link_type, LinkType::Autolink | LinkType::Email) {
                            b.verbatim(VerbatimKind::Link, dest_url);
                        }
                        side_text(&mut b, "link title", title, text, &range);
                    }
                    Tag::Image {
                        dest_url, title, ..
                    } => {
                        b.verbatim(VerbatimKind::Link, dest_url);
                        side_text(&mut b, "image title", title, text, &range);
                        b.start_side("image alt text");
                    }
                    _ => {}
                }
                if block {
                    labels.push(label);
                }
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                match tag {
                    TagEnd::CodeBlock | TagEnd::HtmlBlock => mode = Mode::Text,
                    TagEnd::MetadataBlock(_) => mode = Mode::Text,
                    TagEnd::Image => b.end_side(),
                    _ => {}
                }
                if is_block_end(tag) {
                    b.end_block();
                    labels.pop();
                }
            }
            Event::Text(s) => match mode {
                Mode::Text => {
                    b.set_label(labels.last().map_or("paragraph", String::as_str));
                    b.push_str(&s, range);
                }
                Mode::FrontMatter => front_matter.push_str(&s),
                Mode::Skip => {}
            },
            Event::Code(code) | Event::InlineMath(code) => {
                b.set_label(labels.last().map_or("paragraph", String::as_str));
                b.verbatim(VerbatimKind::Code, &code);
                // The span's source is its delimiters around the content (normalised when it
                // spans lines): point at the content where it is found as written.
                let source = &text[range.clone()];
                match source.find(code.as_ref()) {
                    Some(i) => {
                        let start = range.start + i;
                        b.push_str(&code, start..start + code.len());
                    }
                    None => b.push_str(&code, range),
                }
            }
            Event::SoftBreak => b.push_char(' ', range),
            Event::HardBreak => b.line_break(range),
            Event::InlineHtml(html) if is_br(&html) => b.line_break(range),
            Event::Rule => {
                b.end_block();
            }
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_) => {}
        }
    }
    let mut article = b.finish(FileFormat::Markdown, Some(text));
    article.lang = front_matter_lang(&front_matter);
    Ok(article)
}

/// Blocks end the running text before them; inline tags (emphasis, links, images) do not.
fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// A link's or image's title as a block of its own (it is text a reader sees on hover).
fn side_text(b: &mut ArticleBuilder, label: &str, title: &str, text: &str, range: &Range<usize>) {
    if title.trim().is_empty() {
        return;
    }
    let source = &text[range.clone()];
    let orig = match source.find(title) {
        Some(i) => range.start + i..range.start + i + title.len(),
        None => range.clone(),
    };
    b.side_block(label, title, orig);
}

/// `<br>`, `<br/>`, `<br />` written inline: a line break.
fn is_br(html: &str) -> bool {
    let t = html.trim().to_ascii_lowercase();
    let inner = t
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    inner.trim() == "br"
}

/// `lang: ar` or `language: "ar"` in YAML or TOML front matter.
fn front_matter_lang(meta: &str) -> Option<String> {
    meta.lines().find_map(|line| {
        let (key, value) = line.split_once([':', '='])?;
        let key = key.trim().to_ascii_lowercase();
        if key != "lang" && key != "language" {
            return None;
        }
        let value = value.trim().trim_matches(['"', '\'']).trim();
        let plausible = !value.is_empty()
            && value.len() <= 35
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        plausible.then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_lists_and_tables_are_blocks() {
        let md = "---\nlang: de\ntitle: x\n---\n\n# Museum *opens*\n\nThe museum opens\non Saturday.\n\n- First item\n- Second item\n\n| City | Visitors |\n|------|----------|\n| Bonn | 300 |\n\n```\nlet x = 1;\n```\n";
        let a = parse(md).unwrap();
        assert_eq!(a.lang.as_deref(), Some("de"));
        assert_eq!(
            a.labelled_blocks(),
            [
                ("heading 1", "Museum opens"),
                ("paragraph", "The museum opens on Saturday."),
                ("list item", "First item"),
                ("list item", "Second item"),
                ("table 1, row 1, cell 1", "City"),
                ("table 1, row 1, cell 2", "Visitors"),
                ("table 1, row 2, cell 1", "Bonn"),
                ("table 1, row 2, cell 2", "300"),
            ]
        );
        // Every character points at itself in the original: "on Saturday." is on line 9.
        let o = a.origin.as_ref().unwrap();
        let t = a.text.find("on Saturday").unwrap();
        assert_eq!(o.line_column(o.start_of(t)), (9, 1));
        let end = a.text.find("Saturday.").unwrap() + "Saturday.".len();
        assert_eq!(&md[o.start_of(t)..o.end_of(end)], "on Saturday.");
    }

    #[test]
    fn code_and_link_targets_are_verbatim_and_alt_text_is_a_block() {
        let md = "Run `cargo build` and see [the guide](https://example.com/guide \"Guide\").\n\n![A map of the river](map.png)\n\nMail <info@example.com>.\n";
        let a = parse(md).unwrap();
        assert_eq!(
            a.labelled_blocks(),
            [
                ("paragraph", "Run cargo build and see the guide."),
                ("link title", "Guide"),
                ("image alt text", "A map of the river"),
                ("paragraph", "Mail info@example.com."),
            ]
        );
        let v = a.verbatim_items();
        assert_eq!(
            v,
            [
                (VerbatimKind::Code, "cargo build"),
                (VerbatimKind::Link, "https://example.com/guide"),
                (VerbatimKind::Link, "map.png"),
            ]
        );
        assert_eq!(&a.text[a.verbatim[0].at..a.verbatim[0].at + 5], "cargo");
        let o = a.origin.as_ref().unwrap();
        assert_eq!(
            o.start_of(a.verbatim[0].at),
            5,
            "the code's content, after the backtick"
        );
    }

    #[test]
    fn escapes_and_entities_point_at_their_source() {
        let a = parse("A \\* B &amp; C  \nD").unwrap();
        assert_eq!(a.text, "A * B & C\nD");
        let o = a.origin.as_ref().unwrap();
        // The escaped character is its own text, after its backslash.
        assert_eq!((o.start_of(2), o.end_of(3)), (3, 4));
        assert_eq!((o.start_of(6), o.end_of(7)), (7, 12));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let md = ">".repeat(10_000) + " deep";
        let err = parse(&md).unwrap_err();
        assert!(err.contains("nested more than"), "{err}");
    }
}
