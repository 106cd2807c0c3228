//! `Embedder::embed_cached` on a tiny random model: cached vectors are the embedder's own, only
//! misses reach the encoder, a changed model never reads another model's vectors, and one check
//! embeds a sentence once.

use crate::common;

use crate::common::TinySpec;
use mtcheck::model::{Embedder, EmbeddingCache, LoadOptions};

fn bits(vs: &[Vec<f32>]) -> Vec<Vec<u32>> {
    vs.iter()
        .map(|v| v.iter().map(|x| x.to_bits()).collect())
        .collect()
}

/// Longer than the tiny model's 24 tokens, so it is embedded in windows.
fn long_text() -> String {
    common::WORDS[..40].join(" ")
}

#[test]
fn second_run_reads_every_vector_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = dir.path().join("model");
    common::tiny_model(&model_dir, &TinySpec::default(), 7);
    let e = Embedder::load(model_dir.to_str().unwrap(), &LoadOptions::default()).unwrap();
    let cache = EmbeddingCache::open(&dir.path().join("cache/embeddings.sqlite")).unwrap();
    let long = long_text();
    let texts = ["the cat sat", "a dog ran", "the cat sat", long.as_str()];

    let plain = e.embed(&texts).unwrap();
    let first = e.embed_cached(&texts, Some(&cache)).unwrap();
    assert_eq!(bits(&first.vectors), bits(&plain.vectors));
    assert_eq!(first.windowed, vec![false, false, false, true]);
    // The repeated text was embedded once.
    let distinct = e.embed(&["the cat sat", "a dog ran", &long]).unwrap();
    assert_eq!(first.tokens, distinct.tokens);

    // Each text's token count, whether embedded or read from the cache.
    let lengths: Vec<usize> = texts.iter().map(|t| e.tokenize(t).unwrap().len()).collect();
    assert_eq!(plain.lengths, lengths);
    assert_eq!(first.lengths, lengths);

    let second = e.embed_cached(&texts, Some(&cache)).unwrap();
    assert_eq!(bits(&second.vectors), bits(&plain.vectors));
    assert_eq!(second.windowed, first.windowed);
    assert_eq!(second.lengths, lengths);
    assert_eq!(second.tokens, 0);

    // One new text among cached ones: only it is embedded.
    let third = e
        .embed_cached(&["a dog ran", "the red car"], Some(&cache))
        .unwrap();
    let alone = e.embed(&["the red car"]).unwrap();
    assert_eq!(third.tokens, alone.tokens);
    // Vectors depend on their batch's padding to the last bit, so compare with what was actually
    // computed: the first run's vector and the new text embedded on its own.
    assert_eq!(
        bits(&third.vectors),
        bits(&[first.vectors[1].clone(), alone.vectors[0].clone()])
    );

    // No cache: plain embedding.
    let none = e.embed_cached(&texts, None).unwrap();
    assert_eq!(bits(&none.vectors), bits(&plain.vectors));
    assert_eq!(none.tokens, plain.tokens);
}

#[test]
fn other_weights_have_another_identity() {
    let dir = tempfile::tempdir().unwrap();
    let (a_dir, b_dir) = (dir.path().join("a"), dir.path().join("b"));
    common::tiny_model(&a_dir, &TinySpec::default(), 1);
    common::tiny_model(&b_dir, &TinySpec::default(), 2);
    let a = Embedder::load(a_dir.to_str().unwrap(), &LoadOptions::default()).unwrap();
    let b = Embedder::load(b_dir.to_str().unwrap(), &LoadOptions::default()).unwrap();
    assert_ne!(a.cache_identity(), b.cache_identity());
    // Reloading unchanged files gives the same identity.
    let a2 = Embedder::load(a_dir.to_str().unwrap(), &LoadOptions::default()).unwrap();
    assert_eq!(a.cache_identity(), a2.cache_identity());
    // A build whose kernels compute other vectors (a bumped revision) has another identity.
    assert!(a
        .cache_identity()
        .contains(&format!(" r{}|", mtcheck::model::NUMERICS_REVISION)));

    let cache = EmbeddingCache::open(&dir.path().join("c.sqlite")).unwrap();
    a.embed_cached(&["the cat sat"], Some(&cache)).unwrap();
    let from_b = b.embed_cached(&["the cat sat"], Some(&cache)).unwrap();
    assert!(from_b.tokens > 0);
    assert_eq!(
        bits(&from_b.vectors),
        bits(&b.embed(&["the cat sat"]).unwrap().vectors)
    );
    assert_eq!(cache.stats().unwrap().models.len(), 2);
}

#[test]
fn a_segment_file_of_running_text_embeds_each_sentence_once() {
    // The whole-document pass over running text embedded every sentence the per-segment pass had
    // just embedded, doubling the encoder's work on XLIFF, PO and TSV files without --cache.
    let (dir, model) = common::tiny_workspace(3);
    let e = Embedder::load(model.to_str().unwrap(), &LoadOptions::default()).unwrap();
    let rows = [
        ("the cat sat on the mat.", "die katze sat on the mat."),
        ("the dog ran in the park.", "der hund ran in the park."),
        ("the old house is red.", ""),
        ("the big tree is green.", "the big tree is green."),
        ("one day the sun is blue.", "one day the sun is blue."),
        ("the small car is new.", "the small car is new."),
    ];
    let tsv: String = rows.iter().map(|(s, t)| format!("{s}\t{t}\n")).collect();
    let path = dir.path().join("pairs.tsv");
    std::fs::write(&path, tsv).unwrap();
    let pair =
        mtcheck::pipeline::input::load_segments(&path, Some("en"), Some("de"), 1 << 20).unwrap();
    let opts = mtcheck::pipeline::check::CheckOptions::default();
    mtcheck::pipeline::check::check_segments(&e, &pair, &opts).unwrap();
    let computed = e.stage_times().padded_tokens as usize;
    // Every sentence text once, on either side.
    let mut texts: Vec<&str> = rows
        .iter()
        .flat_map(|(s, t)| [*s, *t])
        .filter(|t| !t.is_empty())
        .collect();
    texts.sort_unstable();
    texts.dedup();
    let once: usize = texts.iter().map(|t| e.tokenize(t).unwrap().len()).sum();
    // The passes' extra embeddings (joined neighbours, merged links) come on top, but nowhere
    // near a second embedding of the whole file.
    assert!(computed >= once, "{computed} < {once}");
    assert!(
        computed < 2 * once - once / 4,
        "{computed} vs {once} a pass"
    );
}
