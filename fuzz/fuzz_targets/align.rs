//! Fuzz target `align`: `mtcheck::align::align` on up to 60×60 sentences with link scores taken
//! from the fuzz bytes, NaN and ±infinity included. Every source and every target sentence must be
//! in exactly one link, links must be in order (monotone), and each link must have a shape the
//! aligner allows.
#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use mtcheck::align::{align, Params};

/// Byte → score: a few bytes are the non-finite values a broken model could produce.
fn score_of(b: u8) -> f32 {
    match b {
        255 => f32::NAN,
        254 => f32::INFINITY,
        253 => f32::NEG_INFINITY,
        252 => f32::MAX,
        _ => (b as f32 - 128.0) / 32.0,
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let n = data[0] as usize % 61;
    let m = data[1] as usize % 61;
    let table = &data[2..];
    // A score per (source range, target range), looked up from the bytes by a mix of the ranges.
    let score = |s: Range<usize>, t: Range<usize>| -> f32 {
        let key = s.start * 61 * 4 + (s.len() - 1) * 61 + t.start * 3 + (t.len() - 1);
        score_of(table[(key.wrapping_mul(2654435761)) % table.len()])
    };
    let links = align(n, m, &score, &Params::default());
    let (mut i, mut j) = (0, 0);
    for l in &links {
        assert_eq!(l.source.start, i, "{links:?}");
        assert_eq!(l.target.start, j, "{links:?}");
        let shape = l.kind();
        assert!(
            matches!(
                shape,
                (1, 1) | (1, 0) | (0, 1) | (2, 1) | (1, 2) | (3, 1) | (1, 3)
            ),
            "{shape:?}"
        );
        i = l.source.end;
        j = l.target.end;
    }
    assert_eq!((i, j), (n, m), "not every sentence is linked: {links:?}");
});
