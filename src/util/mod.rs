//! Small helpers every layer may use and that know nothing of mtcheck's domain: atomic writes,
//! stable hashes, markup escaping, vector arithmetic, rounding for reports.

pub mod escape;
pub mod fs;
pub mod hash;
pub mod vector;

/// Rounds a value to three decimals so reports and weights files stay readable.
pub fn round3(x: impl Into<f64>) -> f64 {
    (x.into() * 1000.0).round() / 1000.0
}
