//! `mtcheck align-words`: word alignment of sentence pairs given one per line (`source ||| target`,
//! the format of fast_align and awesome-align), written as Pharaoh links (`0-0 1-2 …`), and its
//! alignment error rate against gold links.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Embedder;
pub use crate::wordalign::default_layer;
use crate::wordalign::{AerCounts, Method, WordAlignment, Words};

/// One line's sentence pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub source: String,
    pub target: String,
}

/// Reads `source ||| target` lines; an empty side is an error naming the line.
pub fn read_pairs(path: &Path, text: &str) -> Result<Vec<Pair>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(k, l)| {
            let (s, t) = l
                .split_once(" ||| ")
                .or_else(|| l.split_once("|||"))
                .ok_or_else(|| {
                    Error::input(
                        path,
                        format!("line {}: no ' ||| ' between source and target", k + 1),
                    )
                })?;
            Ok(Pair {
                source: s.trim().to_string(),
                target: t.trim().to_string(),
            })
        })
        .collect()
}

/// Gold links of one sentence pair: sure (`i-j`) and possible (`ipj`, sure ones included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gold {
    pub sure: Vec<(usize, usize)>,
    pub possible: Vec<(usize, usize)>,
}

/// Reads gold links, one line per pair. Indices are 1-based in the classic sets (awesome-align's
/// examples, the WPT sets) and 0-based in others: a file with no index 0 is read as 1-based.
pub fn read_gold(path: &Path, text: &str) -> Result<Vec<Gold>> {
    let mut rows = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let mut g = Vec::new();
        for item in line.split_whitespace() {
            let (sep, sure) = if item.contains('p') {
                ('p', false)
            } else {
                ('-', true)
            };
            let parsed = item
                .split_once(sep)
                .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
            let Some((a, b)) = parsed else {
                return Err(Error::input(
                    path,
                    format!("line {}: {item:?} is not a link such as 3-4 or 3p4", k + 1),
                ));
            };
            g.push((a, b, sure));
        }
        rows.push(g);
    }
    let one_based = !rows.iter().flatten().any(|&(a, b, _)| a == 0 || b == 0);
    let shift = usize::from(one_based);
    Ok(rows
        .into_iter()
        .map(|links| {
            let mut gold = Gold::default();
            for (a, b, sure) in links {
                let l = (a - shift, b - shift);
                if sure {
                    gold.sure.push(l);
                }
                gold.possible.push(l);
            }
            gold
        })
        .collect())
}

/// Word-aligns every pair with the hidden states of `layer`.
pub fn align_pairs(
    embedder: &Embedder,
    pairs: &[Pair],
    layer: usize,
    method: Method,
    words: Words,
) -> Result<Vec<WordAlignment>> {
    let texts: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p.source.as_str(), p.target.as_str()])
        .collect();
    let states = embedder.token_spans(&texts, layer)?;
    Ok(pairs
        .iter()
        .zip(states.chunks(2))
        .map(|(p, s)| {
            WordAlignment::build(
                (&p.source, &s[0].spans, &s[0].states),
                (&p.target, &s[1].spans, &s[1].states),
                words,
                method,
            )
        })
        .collect())
}

/// Pharaoh format: `i-j` links, 0-based, space-separated.
pub fn pharaoh(wa: &WordAlignment) -> String {
    wa.links()
        .iter()
        .map(|(i, j)| format!("{i}-{j}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// AER, precision and recall of `predicted` against `gold` (as many lines as pairs).
pub fn score(predicted: &[WordAlignment], gold: &[Gold]) -> AerCounts {
    let mut c = AerCounts::default();
    for (p, g) in predicted.iter().zip(gold) {
        c.add(&p.links(), &g.sure, &g.possible);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_need_the_separator_and_errors_name_the_line() {
        let p = Path::new("x.src-tgt");
        let ok = read_pairs(p, "a b ||| c d\n\nx ||| y\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].target, "y");
        let e = read_pairs(p, "a b\n").unwrap_err().to_string();
        assert!(e.contains("x.src-tgt") && e.contains("line 1"), "{e}");
    }

    #[test]
    fn one_based_gold_is_shifted_and_possible_links_include_sure_ones() {
        let p = Path::new("g");
        let g = read_gold(p, "1-1 2p3\n2-2\n").unwrap();
        assert_eq!(g[0].sure, vec![(0, 0)]);
        assert_eq!(g[0].possible, vec![(0, 0), (1, 2)]);
        let g = read_gold(p, "0-0 1p1\n").unwrap();
        assert_eq!(g[0].possible, vec![(0, 0), (1, 1)]);
        assert!(read_gold(p, "1:2\n").is_err());
    }
}
