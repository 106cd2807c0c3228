//! Speed of the model-free stages on the shared bench corpus: sentence segmentation, and every
//! per-link content check over 1-1 links. `cargo bench --bench text [CORPUS]`.

use std::time::Instant;

use mtcheck::checks::{link_checks, PairContext};
use mtcheck::text::segment::split;

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| {
            format!(
                "{}/../shared/bench/corpus-10k.txt",
                env!("CARGO_MANIFEST_DIR")
            )
        });
    let Ok(corpus) = std::fs::read_to_string(&path) else {
        eprintln!("text bench: no corpus at {path}; skipped");
        return;
    };
    let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).collect();

    // Segmentation: the corpus as articles of 30 lines, each line a paragraph.
    let docs: Vec<String> = lines.chunks(30).map(|c| c.join("\n\n")).collect();
    let bytes: usize = docs.iter().map(String::len).sum();
    let start = Instant::now();
    let sentences: usize = docs.iter().map(|d| split(d, "en").len()).sum();
    let s = start.elapsed().as_secs_f64();
    println!(
        "segment  {} documents, {:.1} MB: {sentences} sentences in {:.1} ms ({:.0} sentences/s, {:.1} MB/s)",
        docs.len(),
        bytes as f64 / 1e6,
        s * 1e3,
        sentences as f64 / s,
        bytes as f64 / 1e6 / s
    );

    // Checks: each line against the next as its "translation", so every rule has text to read.
    let sents: Vec<_> = lines.iter().map(|l| split(l, "en")).collect();
    let checks = link_checks();
    let start = Instant::now();
    let mut links = 0usize;
    let mut findings = 0usize;
    for pair in sents.windows(2) {
        let (src, tgt) = (&pair[0], &pair[1]);
        if src.is_empty() || tgt.is_empty() {
            continue;
        }
        let ctx = PairContext {
            src: &src[..1],
            src_index: 0..1,
            tgt: &tgt[..1],
            tgt_index: 0..1,
            src_lang: "en",
            tgt_lang: "de",
            similarity: 0.85,
            z: 2.0,
        };
        links += 1;
        findings += checks.iter().map(|c| c.run(&ctx).len()).sum::<usize>();
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "checks   {links} links, {} rules: {:.1} ms ({:.0} links/s, {findings} findings)",
        checks.len(),
        s * 1e3,
        links as f64 / s
    );
}
