//! Tab-separated bilingual tables: a header row naming the source and target columns
//! (`source`/`target`, `src`/`tgt`, or the language codes given), else columns 1 and 2.

use super::{lang_matches, Bilingual, FileFormat, ReadOptions, Segment};

/// Column indexes of the source and target, and of an optional id column.
struct Columns {
    source: usize,
    target: usize,
    id: Option<usize>,
}

/// The columns named by a header row, or `None` when the row is data.
fn header(cells: &[&str], opts: &ReadOptions) -> Option<Columns> {
    let find = |names: &[&str], lang: Option<&str>| {
        cells.iter().position(|c| {
            let c = c.trim();
            names.iter().any(|n| c.eq_ignore_ascii_case(n))
                || lang.is_some_and(|l| lang_matches(l, c))
        })
    };
    let source = find(&["source", "src"], opts.src_lang.as_deref())?;
    let target = find(&["target", "tgt", "translation"], opts.tgt_lang.as_deref())?;
    let id = find(&["id", "key"], None);
    (source != target).then_some(Columns { source, target, id })
}

pub(super) fn parse(text: &str, opts: &ReadOptions) -> Result<Bilingual, String> {
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    let first: Vec<&str> = match rows.peek() {
        Some((_, l)) => l.split('\t').collect(),
        None => return Err("contains no rows".into()),
    };
    let columns = match header(&first, opts) {
        Some(c) => {
            rows.next();
            c
        }
        None => Columns {
            source: 0,
            target: 1,
            id: None,
        },
    };
    let mut segments = Vec::new();
    for (n, row) in rows {
        let cells: Vec<&str> = row.split('\t').collect();
        let Some(source) = cells.get(columns.source) else {
            return Err(format!(
                "line {n}: has {} column(s), no source column {}",
                cells.len(),
                columns.source + 1
            ));
        };
        let target = cells
            .get(columns.target)
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.to_string());
        if source.trim().is_empty() && target.is_none() {
            continue;
        }
        let id = columns
            .id
            .and_then(|i| cells.get(i))
            .filter(|s| !s.trim().is_empty())
            .map_or_else(|| n.to_string(), |s| s.trim().to_string());
        segments.push(Segment {
            id,
            source: source.to_string(),
            target,
            line: n,
            location: format!("row {n}"),
            state: None,
            notes: Vec::new(),
        });
    }
    Ok(Bilingual {
        format: FileFormat::Tsv,
        src_lang: opts.src_lang.clone(),
        tgt_lang: opts.tgt_lang.clone(),
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_by_name_or_language_and_headerless() {
        let b = parse(
            "id\ttarget\tsource\nk1\tBonjour\tHello\n\nk2\t\tBye\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(b.segments.len(), 2);
        assert_eq!(b.segments[0].id, "k1");
        assert_eq!(b.segments[0].source, "Hello");
        assert_eq!(b.segments[0].target.as_deref(), Some("Bonjour"));
        assert_eq!(b.segments[1].target, None);
        assert_eq!(
            (b.segments[1].line, b.segments[1].location.as_str()),
            (4, "row 4")
        );

        let opts = ReadOptions {
            src_lang: Some("en".into()),
            tgt_lang: Some("de".into()),
            ..ReadOptions::default()
        };
        let b = parse("de-DE\ten-US\r\nHallo\tHello\r\n", &opts).unwrap();
        assert_eq!(b.segments[0].source, "Hello");
        assert_eq!(b.segments[0].id, "2");

        let b = parse("Hello\tHallo\nWorld\tWelt\n", &ReadOptions::default()).unwrap();
        assert_eq!(b.segments.len(), 2);
        assert_eq!(b.segments[1].target.as_deref(), Some("Welt"));
        assert_eq!(b.segments[1].line, 2);
    }
}
