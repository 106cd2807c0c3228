//! `long_sentence`: sentences longer than the model's window, embedded as overlapping windows
//! (info: nothing was truncated, but their similarity is an average over windows).

use serde_json::json;

use crate::finding::{Finding, Kind, Severity};
use crate::text::Sentence;

/// One info finding per windowed sentence. `windowed` covers the source's sentences, then the
/// target's.
pub fn check(
    src: &[Sentence],
    tgt: &[Sentence],
    windowed: &[bool],
    max_tokens: usize,
) -> Vec<Finding> {
    let n = src.len();
    let mut out = Vec::new();
    for (k, &w) in windowed.iter().enumerate() {
        if !w {
            continue;
        }
        let message = format!(
            "sentence is longer than the model's {max_tokens} tokens; embedded as overlapping \
             windows, not truncated"
        );
        let evidence = json!({"max_tokens": max_tokens});
        let none = (0..0, &[] as &[Sentence]);
        let (source, target) = if k < n {
            ((k..k + 1, &src[k..k + 1]), none)
        } else {
            let i = k - n;
            (none, (i..i + 1, &tgt[i..i + 1]))
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(n: usize) -> Vec<Sentence> {
        (0..n)
            .map(|k| Sentence {
                text: format!("Sentence {k}."),
                start: 0,
                end: 0,
                line: k + 1,
                paragraph: 0,
            })
            .collect()
    }

    #[test]
    fn each_windowed_sentence_is_reported_on_its_own_side() {
        let (src, tgt) = (sentences(2), sentences(3));
        let found = check(&src, &tgt, &[false, true, false, false, true], 512);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].source.clone(), found[0].target.clone()),
            (vec![1], vec![])
        );
        assert_eq!(
            (found[1].source.clone(), found[1].target.clone()),
            (vec![], vec![2])
        );
        assert_eq!(found[1].target_line, Some(3));
        assert!(found.iter().all(|f| f.severity == Severity::Info));
        assert!(found[0]
            .message
            .contains("512 tokens; embedded as overlapping windows"));
    }
}
