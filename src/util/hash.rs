//! Stable, non-cryptographic hashes (std's `DefaultHasher` is randomised per process).

use std::hash::Hasher;

/// FNV-1a, 64 bits, over bytes: stable across runs and platforms. Used for SARIF fingerprints,
/// batch shards and labelled-set identities, so its values are part of mtcheck's outputs.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = fnv::FnvHasher::default();
    h.write(bytes);
    h.finish()
}

/// FNV-1a over 8-byte little-endian words (then the tail bytes), with a final fold: a cheap
/// corruption check for large cache files, several times faster than the byte-wise hash.
pub fn fnv1a64_words(data: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(PRIME);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn word_hash_depends_on_every_byte_and_the_tail() {
        let a = fnv1a64_words(b"0123456789abcdef!");
        assert_ne!(a, fnv1a64_words(b"0123456789abcdef?"));
        assert_ne!(a, fnv1a64_words(b"1123456789abcdef!"));
        assert_eq!(a, fnv1a64_words(b"0123456789abcdef!"));
    }
}
