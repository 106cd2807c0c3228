//! The fused CPU attention against a plain softmax-attention reference, on packed sequences long
//! enough to use every register grouping of its score and context loops (1 to 4 blocks of 16 lanes,
//! several groups, ragged tails) and head sizes that are not a multiple of 16.

use candle_core::{Device, Tensor};
use mtcheck::model::attention::{FusedAttention, Keys};

/// `softmax(q kᵀ · scale) v` per head and sequence, in f64.
fn reference(x: &[f32], offsets: &[usize], hidden: usize, heads: usize, scale: f32) -> Vec<f32> {
    let hd = hidden / heads;
    let w = 3 * hidden;
    let total = *offsets.last().unwrap();
    let mut out = vec![0f32; total * hidden];
    for seq in offsets.windows(2) {
        for h in 0..heads {
            for i in seq[0]..seq[1] {
                let q = &x[i * w + h * hd..i * w + (h + 1) * hd];
                let scores: Vec<f64> = (seq[0]..seq[1])
                    .map(|j| {
                        let k = &x[j * w + hidden + h * hd..j * w + hidden + (h + 1) * hd];
                        q.iter()
                            .zip(k)
                            .map(|(&a, &b)| f64::from(a) * f64::from(b))
                            .sum::<f64>()
                            * f64::from(scale)
                    })
                    .collect();
                let max = scores.iter().copied().fold(f64::MIN, f64::max);
                let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                let sum: f64 = exps.iter().sum();
                for d in 0..hd {
                    let v: f64 = (seq[0]..seq[1])
                        .zip(&exps)
                        .map(|(j, e)| e * f64::from(x[j * w + 2 * hidden + h * hd + d]))
                        .sum();
                    out[i * hidden + h * hd + d] = (v / sum) as f32;
                }
            }
        }
    }
    out
}

#[test]
fn fused_attention_matches_plain_softmax_attention_on_long_ragged_sequences() {
    // Lengths: one token, exactly one block, one past it, 3 blocks + 2, exactly 4 blocks, 4 + 1,
    // 8 blocks + 2 (two full groups and a tail).
    let lens = [1usize, 16, 17, 50, 64, 65, 130];
    let mut offsets = vec![0usize];
    for l in lens {
        offsets.push(offsets.last().unwrap() + l);
    }
    let total = *offsets.last().unwrap();
    // Head sizes 8 (one partial block) and 72 (four blocks and a partial fifth).
    for (hidden, heads) in [(16usize, 2usize), (144, 2)] {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let x: Vec<f32> = (0..total * 3 * hidden)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 20_000) as f32 / 10_000.0 - 1.0
            })
            .collect();
        let scale = 1.0 / ((hidden / heads) as f32).sqrt();
        let input = Tensor::from_vec(x.clone(), (total, 3 * hidden), &Device::Cpu).unwrap();
        let got = input
            .apply_op1_no_bwd(&FusedAttention {
                keys: Keys::Packed(&offsets),
                heads,
                scale,
            })
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let want = reference(&x, &offsets, hidden, heads, scale);
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            worst < 1e-5,
            "hidden {hidden}, heads {heads}: max difference {worst}"
        );
    }
}
