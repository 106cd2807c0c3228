//! mtcheck: check a translation against its source with a multilingual sentence-embedding model.
//!
//! The modules are layers, listed here bottom to top; each uses only the layers above it in this
//! list (`tests/layers.rs` enforces it, docs/architecture.md draws it):
//!
//! - `error`, `util`: the error type; atomic writes, hashes, escaping, vector arithmetic.
//! - `text`, `formats`: sentences and languages; reading files into segments.
//! - `model`: resolving, loading and running an encoder (one file per architecture).
//! - `finding`: `Finding`, `Kind`, `Severity`, `Verdict`, the currency of checks and reports.
//! - `reference`: per-model reference distributions as data.
//! - `similarity`, `align`, `score`, `wordalign`, `qe`: link similarity, the aligner, thresholds
//!   and scores, word alignment inside a link, the learned quality estimate of a link.
//! - `checks`: one file per finding kind.
//! - `report`: the versioned report and its renderings.
//! - `pipeline`: input → check → report for one pair, settings, and `batch`.
//! - `tools`: `eval`, `calibrate`, `bench`.

pub mod error;
pub mod util;

pub mod formats;
pub mod text;

pub mod model;

pub mod finding;

pub mod reference;

pub mod align;
pub mod qe;
pub mod score;
pub mod similarity;
pub mod wordalign;

pub mod checks;

pub mod report;

pub mod pipeline;

pub mod tools;

pub use error::{Error, Result};
