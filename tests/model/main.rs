//! The model layer's tests in one binary (linking candle dominates a test binary's build time):
//! kernels, the encoder against candle-transformers, conversion, tokenizer, cache, Hub path and
//! the bench's vector checks.

#[path = "../common/mod.rs"]
mod common;

mod attention;
mod bench_vectors;
mod cache;
mod convert;
mod encoder;
mod hub;
mod q8;
mod tokenizer_real;
