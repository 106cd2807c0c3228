//! mtcheck: check a translation against its source with a multilingual sentence-embedding model.
//!
//! Pipeline: `formats` (read files) → `text` (sentences) → `model` (embeddings) → `similarity` and
//! `align` (links) → `checks` (findings) → `score` (scores, verdict) → `report` (renderings).
//! `check` runs the pipeline for one document pair.

pub mod align;
pub mod batch;
pub mod calibrate;
pub mod check;
pub mod checks;
pub mod config;
pub mod error;
pub mod eval;
pub mod formats;
pub mod model;
pub mod report;
pub mod score;
pub mod similarity;
pub mod text;

pub use error::{Error, Result};
