//! Running mtcheck on inputs: reading a pair (`input`), checking it (`check`), resolving the
//! settings that apply to it (`config`), and many pairs at once (`batch`).

pub mod batch;
pub mod check;
pub mod config;
pub mod input;
