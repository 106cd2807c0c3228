//! Multi-head self-attention on the CPU in f32, in one pass straight from the fused Q/K/V
//! projection: candle's batched matmuls over `batch × heads` small matrices (plus the permute,
//! contiguous and transpose copies around them) took over 40% of the encoder's time once the
//! projections were int8.
//!
//! One kernel (`attend_one`, one sequence at a time) serves two batch layouts: right-padded rows
//! `[batch, seq, 3 · hidden]` with an additive key bias that masks the padding, and sequences packed
//! back to back `[total, 3 · hidden]` with their offsets (the padding-free path), where each
//! sequence attends within itself only and needs no mask.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape};
use rayon::prelude::*;

use super::vecmath::{exp, f32_input, lanes_max, lanes_sum, multiversion, Simd};

/// `softmax(q kᵀ · scale + bias) v` for every head; the op's input is the Q/K/V projection (all
/// query heads, then keys, then values, per token), its output the context with heads side by side:
/// `[batch, seq, 3 · hidden]` → `[batch, seq, hidden]` for [`Keys::Padded`], `[total, 3 · hidden]`
/// → `[total, hidden]` for [`Keys::Packed`].
pub struct FusedAttention<'a> {
    pub keys: Keys<'a>,
    pub heads: usize,
    pub scale: f32,
}

/// Which keys each query sees.
#[derive(Clone, Copy)]
pub enum Keys<'a> {
    /// Right-padded rows: an additive key bias per batch row, `[batch, seq]` (0 for tokens, a large
    /// negative value for padding).
    Padded(&'a [f32]),
    /// Sequences packed back to back: sequence `i` is rows `offsets[i]..offsets[i + 1]` (so
    /// `offsets` starts at 0 and ends at the row count), and attends to itself only.
    Packed(&'a [usize]),
}

/// Packed sequence offsets must start at 0, never decrease and end at the packed row count
/// (`total`): each row then belongs to exactly one sequence.
pub(crate) fn check_offsets(offsets: &[usize], total: usize) -> candle_core::Result<()> {
    if offsets.first() != Some(&0)
        || offsets.last() != Some(&total)
        || offsets.windows(2).any(|p| p[0] > p[1])
    {
        candle_core::bail!("sequence offsets {offsets:?} do not cover {total} packed rows");
    }
    Ok(())
}

/// Register block: 16 f32 lanes, one AVX-512 vector.
const BLOCK: usize = 16;

/// Row-major rows of `stride` values, read in register blocks.
#[derive(Clone, Copy)]
struct Blocks<'a> {
    rows: &'a [f32],
    stride: usize,
}

/// Blocks to take at once from `rest` values (a multiple of [`BLOCK`]): up to four independent
/// accumulator chains keep the adds from waiting on each other (one chain at a time made attention
/// latency-bound), and each score or context value still sums in the same order as with one.
#[inline(always)]
fn group(rest: usize) -> usize {
    (rest / BLOCK).min(4)
}

/// Scores of `q` (scaled) against keys `jb..jb + n·BLOCK` (`keys` holds K transposed: one row per
/// dimension; `n` ≤ 4), starting from the key bias, into `s`. Written as one flat loop over `W`
/// lanes (the compiler keeps them in `W / BLOCK` registers; nested per-block arrays were turned
/// into gathers and scatters).
#[inline(always)]
fn scores<const W: usize>(
    q: &[f32],
    scale: f32,
    keys: Blocks,
    jb: usize,
    bias: &[f32],
    s: &mut [f32],
) {
    let mut acc = [0f32; W];
    acc.copy_from_slice(&bias[jb..jb + W]);
    for (d, &qd) in q.iter().enumerate() {
        let qd = qd * scale;
        let k = &keys.rows[d * keys.stride + jb..d * keys.stride + jb + W];
        for l in 0..W {
            acc[l] += qd * k[l];
        }
    }
    s[jb..jb + W].copy_from_slice(&acc);
}

/// Columns `db..db + W` of `Σ_j p[j] · values[j]`, into `ctx`; flat as [`scores`].
#[inline(always)]
fn context<const W: usize>(p: &[f32], values: Blocks, db: usize, ctx: &mut [f32]) {
    let mut acc = [0f32; W];
    for (j, &pj) in p.iter().enumerate() {
        let v = &values.rows[j * values.stride + db..j * values.stride + db + W];
        for l in 0..W {
            acc[l] += pj * v[l];
        }
    }
    ctx[db..db + W].copy_from_slice(&acc);
}

multiversion!(
    fn attend_one(x: &[f32], bias: &[f32], out: &mut [f32], heads: usize, scale: f32) {
        // One sequence: `x` [t, 3·hidden], `out` [t, hidden]. K is transposed and V gathered per head
        // so that both products run over contiguous rows, with a 16-lane accumulator kept in a register
        // across the whole inner loop.
        let t = bias.len();
        let hidden = out.len() / t;
        let hd = hidden / heads;
        let w = 3 * hidden;
        let tp = t.div_ceil(BLOCK) * BLOCK;
        let hp = hd.div_ceil(BLOCK) * BLOCK;
        // Padding keys get a bias of -inf (probability exactly 0); padding lanes of V are 0.
        let mut kt = vec![0f32; hd * tp];
        let mut vs = vec![0f32; t * hp];
        let mut bias_p = vec![f32::NEG_INFINITY; tp];
        bias_p[..t].copy_from_slice(bias);
        let mut s = vec![0f32; tp];
        let mut ctx = vec![0f32; hp];
        for h in 0..heads {
            for j in 0..t {
                let k = &x[j * w + hidden + h * hd..j * w + hidden + (h + 1) * hd];
                for (d, &v) in k.iter().enumerate() {
                    kt[d * tp + j] = v;
                }
                let v = &x[j * w + 2 * hidden + h * hd..j * w + 2 * hidden + (h + 1) * hd];
                vs[j * hp..j * hp + hd].copy_from_slice(v);
            }
            for i in 0..t {
                let q = &x[i * w + h * hd..i * w + (h + 1) * hd];
                let keys = Blocks {
                    rows: &kt,
                    stride: tp,
                };
                // Loops, not closures: closures do not inherit the target features of `attend_one`.
                let mut jb = 0;
                while jb < tp {
                    let n = group(tp - jb);
                    match n {
                        4 => scores::<{ 4 * BLOCK }>(q, scale, keys, jb, &bias_p, &mut s),
                        3 => scores::<{ 3 * BLOCK }>(q, scale, keys, jb, &bias_p, &mut s),
                        2 => scores::<{ 2 * BLOCK }>(q, scale, keys, jb, &bias_p, &mut s),
                        _ => scores::<BLOCK>(q, scale, keys, jb, &bias_p, &mut s),
                    }
                    jb += n * BLOCK;
                }
                let max = lanes_max(&s[..t]);
                for v in s.iter_mut() {
                    *v = exp(*v - max);
                }
                let inv = 1.0 / lanes_sum(&s);
                let values = Blocks {
                    rows: &vs,
                    stride: hp,
                };
                let p = &s[..t];
                let mut db = 0;
                while db < hp {
                    let n = group(hp - db);
                    match n {
                        4 => context::<{ 4 * BLOCK }>(p, values, db, &mut ctx),
                        3 => context::<{ 3 * BLOCK }>(p, values, db, &mut ctx),
                        2 => context::<{ 2 * BLOCK }>(p, values, db, &mut ctx),
                        _ => context::<BLOCK>(p, values, db, &mut ctx),
                    }
                    db += n * BLOCK;
                }
                let o = &mut out[i * hidden + h * hd..i * hidden + (h + 1) * hd];
                for (o, &c) in o.iter_mut().zip(&ctx) {
                    *o = c * inv;
                }
            }
        }
    }
);

impl CustomOp1 for FusedAttention<'_> {
    fn name(&self) -> &'static str {
        "fused-attention"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let x = f32_input(storage, layout, self.name())?;
        let dims = layout.shape().dims();
        let w = dims.last().copied().unwrap_or(0);
        let hidden = w / 3;
        if w % 3 != 0 || self.heads == 0 || hidden % self.heads != 0 {
            candle_core::bail!(
                "fused attention: input {dims:?} does not fit {} heads",
                self.heads
            );
        }
        match self.keys {
            Keys::Padded(bias) => {
                let (b, t, _) = layout.shape().dims3()?;
                if bias.len() != b * t {
                    candle_core::bail!(
                        "fused attention: input {dims:?} does not fit a bias of {} values",
                        bias.len()
                    );
                }
                let mut out = vec![0f32; b * t * hidden];
                if t > 0 {
                    out.par_chunks_mut(t * hidden)
                        .zip(x.par_chunks(t * w))
                        .zip(bias.par_chunks(t))
                        .for_each(|((o, x), bias)| attend_one(x, bias, o, self.heads, self.scale));
                }
                Ok((CpuStorage::F32(out), Shape::from((b, t, hidden))))
            }
            Keys::Packed(offsets) => {
                let (total, _) = layout.shape().dims2()?;
                check_offsets(offsets, total)?;
                let mut out = vec![0f32; total * hidden];
                // Disjoint output rows per sequence, so that sequences run in parallel.
                let mut parts = Vec::with_capacity(offsets.len().saturating_sub(1));
                let mut rest = out.as_mut_slice();
                for p in offsets.windows(2) {
                    let (o, tail) = std::mem::take(&mut rest).split_at_mut((p[1] - p[0]) * hidden);
                    rest = tail;
                    parts.push((o, &x[p[0] * w..p[1] * w]));
                }
                parts.into_par_iter().for_each(|(o, x)| {
                    let t = x.len() / w;
                    if t > 0 {
                        // A sequence alone needs no mask: a zero bias over its own keys.
                        attend_one(x, &vec![0f32; t], o, self.heads, self.scale);
                    }
                });
                Ok((CpuStorage::F32(out), Shape::from((total, hidden))))
            }
        }
    }
}
