//! Commands that measure or build rather than check: `eval` (detection quality on a labelled
//! set, and its `plot`), `calibrate` (a model's reference distributions), `bench` (embedding
//! throughput), `verify` (a model separates translations from unrelated sentences), `wordalign`
//! (word alignment of sentence pairs and its error rate against gold links), `segments`
//! (quality estimation on labelled segment files: ROC AUC, MCC), `train_qe` (fitting the
//! quality estimator).

pub mod bench;
pub mod calibrate;
pub mod eval;
pub mod plot;
pub mod segments;
pub mod train_qe;
pub mod verify;
pub mod wordalign;
