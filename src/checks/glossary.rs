//! Do-not-translate terms from the config file's `glossary`: a term in a source sentence must
//! appear unchanged in the aligned target (product names, brands, commands).

use serde_json::json;

use super::{Finding, Kind, LinkCheck, PairContext, Severity};

/// The glossary check; built only when the configuration lists terms.
pub struct Glossary {
    pub terms: Vec<String>,
}

/// `term` occurs in `text` as a whole word (not inside a longer word), so "Go" is not found in
/// "Google"; scripts without word boundaries (CJK) match anywhere.
fn contains_term(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(i, m)| {
        let before = text[..i].chars().next_back();
        let after = text[i + m.len()..].chars().next();
        let boundary =
            |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() || super::util::is_cjk_char(c));
        boundary(before) && boundary(after)
    })
}

impl LinkCheck for Glossary {
    fn name(&self) -> &'static str {
        "entity_mismatch"
    }

    fn run(&self, pair: &PairContext) -> Vec<Finding> {
        let (src, tgt) = (pair.src_text(), pair.tgt_text());
        self.terms
            .iter()
            .filter(|t| contains_term(&src, t) && !contains_term(&tgt, t))
            .map(|t| {
                pair.finding(
                    Kind::EntityMismatch,
                    Severity::Warning,
                    format!("do-not-translate term \"{t}\" is missing from the target"),
                    json!({"glossary_term": t}),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::run;

    fn glossary() -> Glossary {
        Glossary {
            terms: vec!["OpenLDAP".into(), "Go".into(), "微信".into()],
        }
    }

    #[test]
    fn a_translated_brand_name_is_reported() {
        let f = run(
            &glossary(),
            "OpenLDAP stores the directory.",
            "en",
            "OpenLDAP speichert das Verzeichnis.",
            "de",
            2.0,
        );
        assert!(f.is_empty(), "{f:?}");
        let f = run(
            &glossary(),
            "OpenLDAP stores the directory.",
            "en",
            "يخزن أوبن إل داب الدليل.",
            "ar",
            2.0,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("\"OpenLDAP\""), "{}", f[0].message);
    }

    #[test]
    fn terms_match_whole_words_only() {
        // "Go" inside "Google" is not the term, on either side.
        let f = run(
            &glossary(),
            "Google released it.",
            "en",
            "Google hat es veröffentlicht.",
            "de",
            2.0,
        );
        assert!(f.is_empty());
        let f = run(
            &glossary(),
            "Written in Go.",
            "en",
            "Geschrieben in Golang.",
            "de",
            2.0,
        );
        assert_eq!(f.len(), 1);
        // CJK terms match without word boundaries.
        let f = run(
            &glossary(),
            "Sent over 微信 yesterday.",
            "en",
            "昨天通过微信发送。",
            "zh",
            2.0,
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
