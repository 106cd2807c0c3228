//! Writes the truncation check's token-coverage features for every 1-1 link of `mtcheck eval`
//! reports, one JSON line per link, for `devset/fit_truncation.py` to fit its model on.
//!
//! ```sh
//! mtcheck eval SET --reports REPORTS
//! cargo run --release --example truncation_features -- REPORTS... > features.jsonl
//! ```

use std::io::Write;

use mtcheck::checks::truncation;
use mtcheck::model::{Embedder, LoadOptions};
use mtcheck::similarity::{document_length_ratio, relative_length};
use mtcheck::text::weighted_len;
use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = std::env::var("MTCHECK_MODEL").unwrap_or("intfloat/multilingual-e5-small".into());
    let embedder = Embedder::load(&model, &LoadOptions::default())?;
    let layer = truncation::coverage_layer(embedder.num_layers());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for dir in std::env::args().skip(1) {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        paths.sort_by_key(|e| e.path());
        for entry in paths {
            let report: Value = serde_json::from_slice(&std::fs::read(entry.path())?)?;
            let text = |side: &str, i: &Value| -> String {
                let i = i.as_u64().unwrap_or(0) as usize;
                report[side][i]["text"].as_str().unwrap_or("").to_string()
            };
            // Lengths and ratios exactly as the checker computes them.
            let lengths = |side: &str| -> Vec<f32> {
                let all = report[side].as_array().map(Vec::as_slice).unwrap_or(&[]);
                all.iter()
                    .map(|s| weighted_len(s["text"].as_str().unwrap_or("")))
                    .collect()
            };
            let doc_ratio =
                document_length_ratio(&lengths("source_sentences"), &lengths("target_sentences"));
            let mut links = Vec::new();
            for a in report["alignments"].as_array().into_iter().flatten() {
                let (s, t) = (&a["source"], &a["target"]);
                if s.as_array().map(Vec::len) == Some(1) && t.as_array().map(Vec::len) == Some(1) {
                    let (s, t) = (
                        text("source_sentences", &s[0]),
                        text("target_sentences", &t[0]),
                    );
                    let ratio = relative_length(weighted_len(&s), weighted_len(&t), doc_ratio);
                    links.push((s, t, ratio, a["z"].as_f64().unwrap_or(f64::NAN)));
                }
            }
            let texts: Vec<&str> = links
                .iter()
                .flat_map(|l| [l.0.as_str(), l.1.as_str()])
                .map(truncation::coverage_text)
                .collect();
            let states = embedder.token_states(&texts, layer)?;
            for (l, st) in links.iter().zip(states.chunks(2)) {
                let Some(c) = truncation::coverage(&st[0], &st[1]) else {
                    continue;
                };
                let row = json!({
                    "report": entry.path(), "src": l.0, "tgt": l.1, "ratio": l.2, "z": l.3,
                    "tail_drop": c.tail_drop, "extent": c.extent, "reach": c.reach,
                });
                writeln!(out, "{row}")?;
            }
        }
    }
    Ok(())
}
