//! Element- and row-wise f32 kernels of the CPU encoder (exact-erf GELU, softmax, residual add +
//! layer norm): branch-free polynomial
//! approximations written so that the compiler vectorises them, compiled for AVX-512, AVX2 + FMA
//! and the baseline, picked at run time. libm's scalar `erff`/`expf` took a third of the encoder's
//! time once the matrix products were int8.

use std::mem::MaybeUninit;

use candle_core::{CpuStorage, CustomOp1, InplaceOp1, InplaceOp2, Layout, Shape};
use rayon::prelude::*;

/// Instruction sets the element-wise kernels are compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simd {
    Avx512,
    Avx2,
    Baseline,
}

impl Simd {
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Simd::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Simd::Avx2;
            }
        }
        Simd::Baseline
    }
}

/// The kernel an environment variable forces (`None` when it is unset), for measuring a fallback
/// on a CPU that has a faster one: one of `names`, and one this CPU runs.
pub(crate) fn forced_kernel<K: Copy>(
    var: &str,
    names: &[(&str, K)],
    available: impl Fn(K) -> bool,
) -> Result<Option<K>, String> {
    let Ok(name) = std::env::var(var) else {
        return Ok(None);
    };
    let Some(&(_, kernel)) = names.iter().find(|(n, _)| *n == name) else {
        let known: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
        return Err(format!("{var}={name:?} is not one of {}", known.join(", ")));
    };
    if available(kernel) {
        Ok(Some(kernel))
    } else {
        Err(format!("{var}={name}: this CPU lacks the instructions"))
    }
}

/// Runs `$body` (an expression using only inlined helpers) compiled for the best available
/// instruction set: the same source, vectorised three ways.
macro_rules! multiversion {
    ($vis:vis fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) $body:block) => {
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
            fn avx512($($arg: $ty),*) { body($($arg),*) }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) { body($($arg),*) }
            match Simd::detect() {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `detect` found every feature `avx512` is compiled for.
                Simd::Avx512 => unsafe { avx512($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `detect` found AVX2 and FMA.
                Simd::Avx2 => unsafe { avx2($($arg),*) },
                _ => body($($arg),*),
            }
        }
    };
}
pub(crate) use multiversion;

/// erf on [-4, 4] (±1 to f32 precision outside) as the rational minimax approximation Eigen and
/// XLA use; a few ulp from libm's.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_6e-3;
    p = x2 * p + -1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329_3e-3;
    q = x2 * q + -1.426_474e-2;
    x * p / q
}

/// e^x for x ≤ 88 (Cephes' polynomial), relative error ~1e-7; exactly 0 below -87, where e^x
/// would be subnormal: masked attention scores land there, and subnormal products downstream
/// cost a microcode assist each (they once made attention 60% of the encoder's time).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 · 2^23: adding it rounds to an integer in the low bits.
    let underflow = x < -87.0;
    let x = x.clamp(-87.0, 88.0);
    let j = x * std::f32::consts::LOG2_E + MAGIC;
    let n = j - MAGIC;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // 2^n from the integer that MAGIC left in j's mantissa.
    let pow2 = f32::from_bits(((j.to_bits() as i32 - 0x4B40_0000 + 127) << 23) as u32);
    if underflow {
        0.0
    } else {
        y * pow2
    }
}

/// Width of the partial reductions below: float reductions only vectorise when written as
/// independent lanes (the compiler may not reorder additions itself).
const LANES: usize = 16;

/// Fold of `x` with `pick` (which keeps one of its two arguments) in independent lanes.
#[inline(always)]
fn lanes_pick(x: &[f32], init: f32, pick: impl Fn(f32, f32) -> f32) -> f32 {
    let mut acc = [init; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = pick(*a, v);
        }
    }
    tail.iter().chain(&acc).fold(init, |m, &v| pick(m, v))
}

/// Largest element (−∞ for an empty slice).
#[inline(always)]
pub fn lanes_max(x: &[f32]) -> f32 {
    lanes_pick(x, f32::NEG_INFINITY, |a, v| if v > a { v } else { a })
}

/// Smallest element (+∞ for an empty slice).
#[inline(always)]
pub fn lanes_min(x: &[f32]) -> f32 {
    lanes_pick(x, f32::INFINITY, |a, v| if v < a { v } else { a })
}

/// Sum of the elements.
#[inline(always)]
pub fn lanes_sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    tail.iter().sum::<f32>() + acc.iter().sum::<f32>()
}

multiversion!(
    pub fn gelu_erf_slice(x: &mut [f32]) {
        for v in x.iter_mut() {
            *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
        }
    }
);

multiversion!(
    pub fn softmax_rows(x: &[f32], out: &mut [f32], width: usize) {
        for (o, row) in out.chunks_exact_mut(width).zip(x.chunks_exact(width)) {
            let max = lanes_max(row);
            for (o, &v) in o.iter_mut().zip(row) {
                *o = exp(v - max);
            }
            let inv = 1.0 / lanes_sum(o);
            o.iter_mut().for_each(|v| *v *= inv);
        }
    }
);

multiversion!(
    pub fn add_layer_norm_rows(x: &mut [f32], b: &[f32], gamma: &[f32], beta: &[f32], eps: f32) {
        let n = gamma.len();
        for (o, b) in x.chunks_exact_mut(n).zip(b.chunks_exact(n)) {
            for (o, &b) in o.iter_mut().zip(b) {
                *o += b;
            }
            let mean = lanes_sum(o) / n as f32;
            o.iter_mut().for_each(|v| *v -= mean);
            let mut sq = [0f32; LANES];
            for c in o.chunks(LANES) {
                for (s, &v) in sq.iter_mut().zip(c) {
                    *s += v * v;
                }
            }
            let inv = 1.0 / (lanes_sum(&sq) / n as f32 + eps).sqrt();
            for ((o, &g), &b) in o.iter_mut().zip(gamma).zip(beta) {
                *o = *o * inv * g + b;
            }
        }
    }
);

/// `layer_norm(a + b)` over the last dimension, written over `a`: the residual connection and the
/// norm that follows it in one pass instead of two ops (and two thread-pool round trips), with no
/// new buffer to allocate and zero.
pub struct AddLayerNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub eps: f32,
}

impl InplaceOp2 for AddLayerNorm {
    fn name(&self) -> &'static str {
        "vec-add-layer-norm"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<()> {
        let n = self.gamma.len();
        if l1.shape() != l2.shape() || l1.shape().dims().last() != Some(&n) {
            candle_core::bail!(
                "add + layer norm: shapes {:?} and {:?} do not end in {n}",
                l1.shape(),
                l2.shape()
            );
        }
        let b = f32_input(s2, l2, self.name())?;
        let a = f32_input_mut(s1, l1, self.name())?;
        let rows_per_task = (16 * 1024 / n).max(1);
        a.par_chunks_mut(rows_per_task * n)
            .zip(b.par_chunks(rows_per_task * n))
            .for_each(|(a, b)| add_layer_norm_rows(a, b, &self.gamma, &self.beta, self.eps));
        Ok(())
    }
}

/// Contiguous f32 input of a custom op.
pub(crate) fn f32_input<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    op: &str,
) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("{op} expects f32");
    };
    Ok(&data[contiguous_range(layout, op)?])
}

/// Where a custom op's contiguous input lies in its storage.
fn contiguous_range(layout: &Layout, op: &str) -> candle_core::Result<std::ops::Range<usize>> {
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(start..end),
        None => candle_core::bail!("{op} expects a contiguous tensor"),
    }
}

/// The output of a linear custom op: checks that the input `[..., k]` is contiguous f32, then has
/// `fill` write `[..., n]` into a buffer that is not zeroed first (zeroing every projection's output
/// was 3% of q8's time). `fill` must write every element.
pub(crate) fn linear_output(
    storage: &CpuStorage,
    layout: &Layout,
    op: &str,
    (k, n): (usize, usize),
    fill: impl FnOnce(&[f32], &mut [MaybeUninit<f32>]),
) -> candle_core::Result<(CpuStorage, Shape)> {
    let x = f32_input(storage, layout, op)?;
    let dims = layout.shape().dims();
    if dims.last() != Some(&k) {
        candle_core::bail!("{op}: input {dims:?} does not end in {k}");
    }
    let len = x.len() / k.max(1) * n;
    let mut out = Vec::with_capacity(len);
    fill(x, &mut out.spare_capacity_mut()[..len]);
    // SAFETY: `fill` wrote all `len` elements.
    unsafe { out.set_len(len) };
    let mut out_dims = dims.to_vec();
    if let Some(last) = out_dims.last_mut() {
        *last = n;
    }
    Ok((CpuStorage::F32(out), Shape::from(out_dims)))
}

/// `out` as memory that need not be initialised, for kernels that write every element.
pub(crate) fn as_uninit(out: &mut [f32]) -> &mut [MaybeUninit<f32>] {
    // SAFETY: MaybeUninit<f32> has f32's layout; the slice stays initialised as long as only
    // initialised values are written through it, which is all a `MaybeUninit::write` can do.
    unsafe { &mut *(out as *mut [f32] as *mut [MaybeUninit<f32>]) }
}

/// Contiguous f32 data of an in-place custom op.
fn f32_input_mut<'a>(
    storage: &'a mut CpuStorage,
    layout: &Layout,
    op: &str,
) -> candle_core::Result<&'a mut [f32]> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("{op} expects f32");
    };
    Ok(&mut data[contiguous_range(layout, op)?])
}

/// Exact (erf) GELU over a contiguous f32 tensor, in place, in parallel chunks.
pub struct Gelu;

impl InplaceOp1 for Gelu {
    fn name(&self) -> &'static str {
        "vec-gelu-erf"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        f32_input_mut(storage, layout, self.name())?
            .par_chunks_mut(16 * 1024)
            .for_each(gelu_erf_slice);
        Ok(())
    }
}

/// Softmax over the last dimension of a contiguous f32 tensor, rows in parallel.
pub struct Softmax;

impl CustomOp1 for Softmax {
    fn name(&self) -> &'static str {
        "vec-softmax-last-dim"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = f32_input(storage, layout, self.name())?;
        let width = layout.shape().dims().last().copied().unwrap_or(1).max(1);
        let rows_per_task = (16 * 1024 / width).max(1);
        let mut out = vec![0f32; src.len()];
        out.par_chunks_mut(rows_per_task * width)
            .zip(src.par_chunks(rows_per_task * width))
            .for_each(|(o, s)| softmax_rows(s, o, width));
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_and_exp_match_libm() {
        let mut worst = (0f32, 0f32);
        for i in -20_000..=20_000 {
            let x = i as f32 * 5e-4;
            let e = (erf(x) - candle_core::cpu::erf::erf_f32(x)).abs();
            worst.0 = worst.0.max(e);
        }
        for i in -8_000..=8_000 {
            let x = i as f32 * 0.01;
            let rel = ((exp(x) - x.exp()) / x.exp()).abs();
            worst.1 = worst.1.max(rel);
        }
        assert!(worst.0 < 1e-6 && worst.1 < 1e-6, "{worst:?}");
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let x: Vec<f32> = (0..40).map(|i| (i as f32 * 0.7).sin() * 5.0).collect();
        let mut out = vec![0f32; 40];
        softmax_rows(&x, &mut out, 10);
        for (row, src) in out.chunks(10).zip(x.chunks(10)) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
            let max = src.iter().cloned().fold(f32::MIN, f32::max);
            let denom: f32 = src.iter().map(|v| (v - max).exp()).sum();
            for (p, v) in row.iter().zip(src) {
                assert!((p - (v - max).exp() / denom).abs() < 1e-6);
            }
        }
    }
}
