//! Small helpers every layer may use and that know nothing of mtcheck's domain: atomic writes,
//! stable hashes, markup escaping and vector arithmetic.

pub mod escape;
pub mod fs;
pub mod hash;
pub mod vector;
