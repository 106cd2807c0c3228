//! `mtcheck calibrate`: runs the checker over a labelled set and records the model's reference
//! distributions of link similarity (the data type and its use live in `reference`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Embedder;
use crate::pipeline::check::{self, CheckOptions};
use crate::reference::{
    lang_key, Distribution, LangDistributions, ModelIdentity, Provenance, Reference,
    FORMAT_VERSION, MIN_LINKS, PROBABILITIES,
};
use crate::tools::eval::{self, LabelledPair};

/// Language pairs with fewer clean links than this get no distribution of their own: their
/// lowest quantiles would be single links.
const MIN_LANG_LINKS: usize = 100;

/// (cosine, z) of each link of one class.
type Links = Vec<(f32, f32)>;

/// The raw material of a reference: link cosines and z values by class and language pair.
#[derive(Debug, Default)]
struct Samples {
    clean: Links,
    error: Links,
    nearest_other: Links,
    /// Clean and mistranslation links per language pair.
    by_lang: BTreeMap<String, (Links, Links)>,
    links: usize,
}

/// FNV-1a over the set's pair names and their three files, so that provenance can tell two sets
/// with the same folder name apart.
fn set_hash(pairs: &[LabelledPair]) -> String {
    let mut bytes = Vec::new();
    for p in pairs {
        bytes.extend_from_slice(p.name.as_bytes());
        for f in ["source.txt", "target.txt", "labels.json"] {
            bytes.extend(std::fs::read(p.dir.join(f)).unwrap_or_default());
        }
    }
    format!("{:016x}", crate::util::hash::fnv1a64(&bytes))
}

/// Runs the checker over a labelled set and records the model's reference distributions.
pub fn calibrate(
    embedder: &Embedder,
    set: &Path,
    pairs: &[LabelledPair],
    opts: &CheckOptions,
) -> Result<Reference> {
    let mut s = Samples::default();
    for pair in pairs {
        let (src, tgt) = eval::load_pair(pair, opts)?;
        let (report, sim) = check::check_documents_with_similarities(embedder, &src, &tgt, opts)?;
        let kinds = eval::labelled_kinds(pair, &report);
        let lang = lang_key(&pair.labels.src_lang, &pair.labels.tgt_lang);
        let (lang_clean, lang_error) = s.by_lang.entry(lang).or_default();
        for (a, kinds) in report.alignments.iter().zip(kinds) {
            let (Some(c), Some(z)) = (a.similarity, a.z) else {
                continue; // an omission or addition has no similarity
            };
            let sample = (c as f32, z as f32);
            s.links += 1;
            if kinds.is_empty() {
                s.clean.push(sample);
                lang_clean.push(sample);
                if let ([i], [j]) = (a.source.as_slice(), a.target.as_slice()) {
                    let other = (0..sim.dims().1)
                        .filter(|&k| k != *j)
                        .map(|k| sim.cos1(*i, k))
                        .max_by(f32::total_cmp);
                    if let Some(o) = other {
                        s.nearest_other
                            .push((o, sim.z(o, &(*i..*i + 1), &(*j..*j + 1))));
                    }
                }
            } else if kinds.contains(&"mistranslation") {
                s.error.push(sample);
                lang_error.push(sample);
            }
        }
    }
    let needed = |what: &str, d: Option<Distribution>| {
        d.ok_or_else(|| {
            Error::input(
                set,
                format!("has too few {what} links to calibrate on (at least {MIN_LINKS} needed)"),
            )
        })
    };
    let by_lang = s
        .by_lang
        .into_iter()
        .filter(|(_, (c, _))| c.len() >= MIN_LANG_LINKS)
        .filter_map(|(k, (c, e))| {
            Some((
                k,
                LangDistributions {
                    clean: Distribution::of(&c)?,
                    // A pair's own error distribution needs as many links as its clean one;
                    // otherwise the pooled one is used.
                    error: (e.len() >= MIN_LANG_LINKS)
                        .then(|| Distribution::of(&e))
                        .flatten(),
                },
            ))
        })
        .collect();
    let info = &embedder.info;
    let dimensions = embedder
        .embed(&["dimensions"])?
        .vectors
        .first()
        .map_or(0, Vec::len);
    Ok(Reference {
        format: FORMAT_VERSION,
        model: ModelIdentity {
            // A known model's local copy (`models/multilingual-e5-small`) records its repository
            // id, which is what the known-model table ties the built-in reference to.
            id: crate::model::config::known_model(&info.id)
                .map_or_else(|| info.id.clone(), |k| k.id.to_string()),
            dimensions,
            pooling: format!("{:?}", info.settings.pooling).to_lowercase(),
            prefix: info.settings.prefix.clone(),
        },
        provenance: Provenance {
            set: set
                .canonicalize()
                .ok()
                .as_deref()
                .unwrap_or(set)
                .file_name()
                .map_or_else(|| set.display().to_string(), |n| n.to_string_lossy().into()),
            set_hash: set_hash(pairs),
            pairs: pairs.len(),
            links: s.links,
            mtcheck_version: env!("CARGO_PKG_VERSION").into(),
        },
        probabilities: PROBABILITIES.to_vec(),
        clean: needed("clean", Distribution::of(&s.clean))?,
        error: needed("mistranslation", Distribution::of(&s.error))?,
        nearest_other: needed("clean 1-1", Distribution::of(&s.nearest_other))?,
        by_lang,
    })
}

/// A plain-text summary of a reference: the quantiles side by side.
pub fn table(r: &Reference) -> String {
    let mut o = format!(
        "model {} ({} dimensions); set {} ({} pairs, {} links, hash {})\n{:>6} {:>8} {:>8} {:>8}\n",
        r.model.id,
        r.model.dimensions,
        r.provenance.set,
        r.provenance.pairs,
        r.provenance.links,
        r.provenance.set_hash,
        "p",
        "clean",
        "error",
        "nearest"
    );
    for (k, p) in r.probabilities.iter().enumerate() {
        o += &format!(
            "{:>6.3} {:>8.4} {:>8.4} {:>8.4}\n",
            p, r.clean.cosine[k], r.error.cosine[k], r.nearest_other.cosine[k]
        );
    }
    o += &format!(
        "links: {} clean, {} mistranslation, {} nearest other; language pairs with their own distribution: {}\n",
        r.clean.links,
        r.error.links,
        r.nearest_other.links,
        r.by_lang.keys().cloned().collect::<Vec<_>>().join(", ")
    );
    o
}
