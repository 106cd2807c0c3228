//! Text: paragraphs and sentences with their positions, language codes and identification.

pub mod lang;
pub mod segment;

pub use segment::{split, Sentence};
