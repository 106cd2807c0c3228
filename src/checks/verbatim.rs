//! Inline code and link targets of articles (`entity_mismatch`): the readers keep them out of
//! the text the model compares and hand them here, to be compared verbatim like placeholders. A
//! changed or missing code span is an error; a link to another page of the same site (a localised
//! link) is a warning, to another site or a lost link an error.

use serde_json::json;

use super::entities::host;
use super::util::drop_common;
use super::{Finding, Kind, PairContext, Severity};
use crate::formats::{Verbatim, VerbatimKind};

/// The finding of link `pair`, whose sentences hold `src` and `tgt`, if they differ.
pub fn check(pair: &PairContext, src: &[&Verbatim], tgt: &[&Verbatim]) -> Option<Finding> {
    let mut parts = Vec::new();
    let mut evidence = Vec::new();
    let mut severity = Severity::Info;
    for kind in [VerbatimKind::Code, VerbatimKind::Link] {
        let keys = |items: &[&Verbatim]| -> Vec<String> {
            items
                .iter()
                .filter(|v| v.kind == kind)
                .map(|v| match kind {
                    VerbatimKind::Link => v.text.trim_end_matches('/').to_string(),
                    VerbatimKind::Code => v.text.clone(),
                })
                .collect()
        };
        let (mut s, mut t) = (keys(src), keys(tgt));
        drop_common(&mut s, &mut t, |a, b| a == b);
        let name = match kind {
            VerbatimKind::Code => "code span",
            VerbatimKind::Link => "link target",
        };
        for i in 0..s.len().max(t.len()) {
            let (a, b) = (s.get(i), t.get(i));
            let (message, sev) = match (a, b) {
                (Some(a), Some(b)) => {
                    let localised =
                        kind == VerbatimKind::Link && host(a).eq_ignore_ascii_case(host(b));
                    (
                        format!("{name} {a} in the source is {b} in the target"),
                        if localised {
                            Severity::Warning
                        } else {
                            Severity::Error
                        },
                    )
                }
                (Some(a), None) => (
                    format!("{name} {a} in the source is missing in the target"),
                    Severity::Error,
                ),
                (None, Some(b)) => (
                    format!("{name} {b} in the target is not in the source"),
                    // Extra code breaks what the reader copies; an extra link is harmless.
                    match kind {
                        VerbatimKind::Code => Severity::Error,
                        VerbatimKind::Link => Severity::Warning,
                    },
                ),
                (None, None) => continue,
            };
            severity = severity.max(sev);
            evidence.push(json!({"type": name, "source": a, "target": b, "severity": sev}));
            parts.push(message);
        }
    }
    (!parts.is_empty()).then(|| {
        pair.finding(
            Kind::EntityMismatch,
            severity,
            parts.join("; "),
            json!({ "entities": evidence }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{pair, sentence};

    fn item(kind: VerbatimKind, text: &str) -> Verbatim {
        Verbatim {
            kind,
            text: text.into(),
            at: 0,
        }
    }

    fn run(src: &[Verbatim], tgt: &[Verbatim]) -> Option<Finding> {
        let (s, t) = ([sentence("Run it.")], [sentence("Führe es aus.")]);
        let src: Vec<&Verbatim> = src.iter().collect();
        let tgt: Vec<&Verbatim> = tgt.iter().collect();
        check(&pair(&s, "en", &t, "de", 1.0), &src, &tgt)
    }

    #[test]
    fn same_code_and_links_in_any_order_pass() {
        let a = [
            item(VerbatimKind::Code, "make"),
            item(VerbatimKind::Link, "https://x.org/a/"),
        ];
        let b = [
            item(VerbatimKind::Link, "https://x.org/a"),
            item(VerbatimKind::Code, "make"),
        ];
        assert!(run(&a, &b).is_none());
    }

    #[test]
    fn changed_code_is_an_error_and_a_localised_link_a_warning() {
        let f = run(
            &[item(VerbatimKind::Code, "cargo build")],
            &[item(VerbatimKind::Code, "cargo bauen")],
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.severity),
            (Kind::EntityMismatch, Severity::Error)
        );
        assert!(f.message.contains("code span cargo build"), "{}", f.message);
        let f = run(
            &[item(VerbatimKind::Link, "https://x.org/en/guide")],
            &[item(VerbatimKind::Link, "https://x.org/de/guide")],
        )
        .unwrap();
        assert_eq!(f.severity, Severity::Warning);
        let f = run(
            &[item(VerbatimKind::Link, "https://x.org/guide")],
            &[item(VerbatimKind::Link, "https://evil.example/guide")],
        )
        .unwrap();
        assert_eq!(f.severity, Severity::Error);
        let f = run(&[], &[item(VerbatimKind::Link, "https://x.org")]).unwrap();
        assert_eq!(f.severity, Severity::Warning);
        let f = run(&[item(VerbatimKind::Link, "https://x.org")], &[]).unwrap();
        assert_eq!(f.severity, Severity::Error);
    }
}
