//! `mtcheck models verify`: a loaded model must embed translations closer than unrelated
//! sentences, or it is not fit to check anything (a broken conversion, the wrong pooling).

use crate::error::{Error, Result};
use crate::model::Embedder;
use crate::util::vector::dot;

/// Translation pairs in three scripts; each is also compared with the next pair's target.
const PAIRS: [(&str, &str); 3] = [
    (
        "The museum opens a new exhibition on Saturday.",
        "Das Museum eröffnet am Samstag eine neue Ausstellung.",
    ),
    (
        "The water plant will supply 100,000 homes.",
        "ستزود محطة المياه مئة ألف منزل.",
    ),
    (
        "Prices rose sharply in October.",
        "Les prix ont fortement augmenté en octobre.",
    ),
];

/// A translation must be closer than an unrelated sentence by at least this cosine.
const MIN_MARGIN: f32 = 0.03;

/// The outcome: one line per pair, and whether every pair passed.
#[derive(Debug, Clone)]
pub struct Verified {
    pub lines: Vec<String>,
    pub ok: bool,
}

/// Embeds the pairs and compares each translation with an unrelated sentence.
pub fn verify(embedder: &Embedder) -> Result<Verified> {
    let texts: Vec<&str> = PAIRS.iter().flat_map(|(a, b)| [*a, *b]).collect();
    let v = embedder
        .embed(&texts)
        .map_err(|e| {
            Error::model(
                &embedder.info.id,
                format!("embedding the verification sentences: {e}"),
            )
        })?
        .vectors;
    let mut ok = true;
    let mut lines = Vec::new();
    for (k, (a, b)) in PAIRS.iter().enumerate() {
        let own = dot(&v[2 * k], &v[2 * k + 1]);
        let other = dot(&v[2 * k], &v[(2 * k + 3) % v.len()]);
        let pass = own > other + MIN_MARGIN;
        ok &= pass;
        lines.push(format!(
            "{} cos {:.3} (unrelated {:.3})  {a} | {b}",
            if pass { "ok  " } else { "FAIL" },
            own,
            other
        ));
    }
    Ok(Verified { lines, ok })
}
