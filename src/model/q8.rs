//! Int8 linear layers for the CPU (`--dtype q8`): weights quantised per output channel when the
//! model loads, activations per token at run time, u8 × i8 products accumulated in i32 by an
//! AVX-512 VNNI, AVX2 or portable kernel chosen at run time; scales and bias are applied in f32.
//!
//! Activations are quantised asymmetrically (a zero point per row), because GELU outputs lie
//! mostly in [-0.17, ∞) and a symmetric range would waste half the codes. With `u = q + zp`:
//! `Σ u·w = Σ q·w + zp·Σ w`, so the zero point is removed once per output with the column sums of
//! the weights.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};
use rayon::prelude::*;

use super::vecmath::{f32_input, lanes_max, lanes_min, multiversion, Simd};

/// Output columns per packed panel (four 16-lane i32 vectors).
pub const NR: usize = 64;
/// Rows per micro-tile: 6 rows × 4 accumulators + 4 weight vectors + 1 broadcast fit the 32 zmm
/// registers.
pub const MR: usize = 6;
/// Rows handed to one rayon task: the task's activations (≤ 96 KiB at k = 1536) stay in L2 while
/// it walks every weight panel.
const ROWS_PER_TASK: usize = 64;

/// Which u8 × i8 → i32 kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// `vpdpbusd` on 512-bit vectors.
    Vnni512,
    /// `vpmaddubsw` + `vpmaddwd`: the 16-bit intermediate saturates beyond 2·127·127, so this
    /// kernel takes activations of at most 7 bits (u ≤ 127).
    Avx2,
    /// Plain loops, any CPU.
    Scalar,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vnni")
            {
                return Kernel::Vnni512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Scalar
    }

    /// The kernel `MTCHECK_Q8_KERNEL` names (`vnni512`, `avx2`, `scalar`: measuring a fallback on a
    /// CPU that has a faster one), else the fastest available.
    pub fn choose() -> Result<Self, String> {
        let Ok(name) = std::env::var("MTCHECK_Q8_KERNEL") else {
            return Ok(Self::detect());
        };
        let kernel = match name.as_str() {
            "vnni512" => Kernel::Vnni512,
            "avx2" => Kernel::Avx2,
            "scalar" => Kernel::Scalar,
            other => {
                return Err(format!(
                    "MTCHECK_Q8_KERNEL={other:?} is not one of vnni512, avx2, scalar"
                ))
            }
        };
        if kernel.available() {
            Ok(kernel)
        } else {
            Err(format!(
                "MTCHECK_Q8_KERNEL={name}: this CPU lacks the instructions"
            ))
        }
    }

    /// Whether this CPU can run the kernel.
    pub fn available(self) -> bool {
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Vnni512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512vnni")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Largest activation code the kernel multiplies exactly.
    pub fn max_code(self) -> u8 {
        match self {
            Kernel::Avx2 => 127,
            Kernel::Vnni512 | Kernel::Scalar => 255,
        }
    }
}

/// i8 weights packed for the kernels: panels of [`NR`] output columns, inside a panel groups of
/// four consecutive k for each column (`[k/4][column][4]`), the layout `vpdpbusd` consumes.
/// k is padded to a multiple of 4 and n to a multiple of `NR` with zero weights.
#[derive(Debug, Clone)]
pub struct PackedWeights {
    data: Vec<i8>,
    k: usize,
    n: usize,
    /// `k` rounded up to a multiple of 4.
    kp: usize,
}

impl PackedWeights {
    /// Packs row-major `w` (`n` rows of `k`, i.e. `[out, in]` as in a Linear layer).
    pub fn pack(w: &[i8], n: usize, k: usize) -> Self {
        assert_eq!(w.len(), n * k, "weights are not {n} x {k}");
        let kp = k.div_ceil(4) * 4;
        let panels = n.div_ceil(NR);
        let mut data = vec![0i8; panels * kp * NR];
        for col in 0..n {
            let (p, c) = (col / NR, col % NR);
            let panel = &mut data[p * kp * NR..(p + 1) * kp * NR];
            for (kk, &v) in w[col * k..(col + 1) * k].iter().enumerate() {
                panel[(kk / 4) * NR * 4 + c * 4 + kk % 4] = v;
            }
        }
        Self { data, k, n, kp }
    }

    pub fn k(&self) -> usize {
        self.k
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Padded row length the activations must have.
    pub fn kp(&self) -> usize {
        self.kp
    }

    fn panels(&self) -> usize {
        self.n.div_ceil(NR)
    }

    fn panel(&self, p: usize) -> &[i8] {
        &self.data[p * self.kp * NR..(p + 1) * self.kp * NR]
    }
}

/// One micro-tile: `rows` (≤ [`MR`]) rows of `a` (stride `lda`, each at least `kp` long) times a
/// panel, i32 results in `out[row][column]`.
fn tile(kernel: Kernel, a: &[u8], lda: usize, rows: usize, panel: &[i8], kp: usize) -> Tile {
    debug_assert!((1..=MR).contains(&rows) && kp.is_multiple_of(4));
    assert!(panel.len() >= kp * NR && a.len() >= (rows - 1) * lda + kp);
    // Missing rows of a ragged last tile repeat the first row; their results are discarded.
    let starts: [usize; MR] = std::array::from_fn(|r| if r < rows { r * lda } else { 0 });
    match kernel {
        #[cfg(target_arch = "x86_64")]
        Kernel::Vnni512 => {
            assert!(Kernel::Vnni512.available(), "AVX-512 VNNI is not available");
            // SAFETY: the CPU features were checked just above; the asserts above bound every
            // row start + kp by a.len() and kp * NR by panel.len(), the only memory read.
            unsafe { x86::tile_vnni512(a, &starts, panel, kp) }
        }
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => {
            assert!(Kernel::Avx2.available(), "AVX2 is not available");
            // SAFETY: as for the VNNI kernel.
            unsafe { x86::tile_avx2(a, &starts, panel, kp) }
        }
        _ => tile_scalar(a, &starts, panel, kp),
    }
}

/// i32 results of one micro-tile.
type Tile = [[i32; NR]; MR];

fn tile_scalar(a: &[u8], starts: &[usize; MR], panel: &[i8], kp: usize) -> Tile {
    let mut out = [[0i32; NR]; MR];
    for (r, &s) in starts.iter().enumerate() {
        let row = &a[s..s + kp];
        for (q, group) in row.chunks_exact(4).enumerate() {
            let w = &panel[q * NR * 4..(q + 1) * NR * 4];
            for (c, acc) in out[r].iter_mut().enumerate() {
                for j in 0..4 {
                    *acc += i32::from(group[j]) * i32::from(w[c * 4 + j]);
                }
            }
        }
    }
    out
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Tile, MR, NR};
    use std::arch::x86_64::*;

    /// # Safety
    /// Needs AVX-512 F/BW/VNNI; every `starts[r] + kp ≤ a.len()` and `kp * NR ≤ panel.len()`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn tile_vnni512(
        a: &[u8],
        starts: &[usize; MR],
        panel: &[i8],
        kp: usize,
    ) -> Tile {
        let mut acc = [[_mm512_setzero_si512(); 4]; MR];
        let w = panel.as_ptr();
        let rows: [*const u8; MR] = std::array::from_fn(|r| a.as_ptr().wrapping_add(starts[r]));
        for q in 0..kp / 4 {
            // SAFETY: q * 4 + 4 ≤ kp, so each read stays inside the ranges the caller bounded.
            unsafe {
                let wq = w.add(q * NR * 4);
                let w0 = _mm512_loadu_si512(wq.cast());
                let w1 = _mm512_loadu_si512(wq.add(64).cast());
                let w2 = _mm512_loadu_si512(wq.add(128).cast());
                let w3 = _mm512_loadu_si512(wq.add(192).cast());
                for r in 0..MR {
                    let x = _mm512_set1_epi32(rows[r].add(q * 4).cast::<i32>().read_unaligned());
                    acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, w0);
                    acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, w1);
                    acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], x, w2);
                    acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], x, w3);
                }
            }
        }
        let mut out = [[0i32; NR]; MR];
        for r in 0..MR {
            for v in 0..4 {
                // SAFETY: out[r] holds NR = 4 × 16 i32.
                unsafe { _mm512_storeu_si512(out[r][v * 16..].as_mut_ptr().cast(), acc[r][v]) };
            }
        }
        out
    }

    /// # Safety
    /// Needs AVX2; bounds as for [`tile_vnni512`]; activations must be ≤ 127 (the 16-bit pair
    /// sums of `vpmaddubsw` saturate otherwise).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn tile_avx2(
        a: &[u8],
        starts: &[usize; MR],
        panel: &[i8],
        kp: usize,
    ) -> Tile {
        let mut out = [[0i32; NR]; MR];
        let ones = _mm256_set1_epi16(1);
        let w = panel.as_ptr();
        // 16 ymm registers: one row at a time, 8 accumulators of 8 columns.
        for r in 0..MR {
            let row = a.as_ptr().wrapping_add(starts[r]);
            let mut acc = [_mm256_setzero_si256(); 8];
            for q in 0..kp / 4 {
                // SAFETY: q * 4 + 4 ≤ kp, inside the caller's bounds.
                unsafe {
                    let x = _mm256_set1_epi32(row.add(q * 4).cast::<i32>().read_unaligned());
                    let wq = w.add(q * NR * 4);
                    for (v, acc) in acc.iter_mut().enumerate() {
                        let wv = _mm256_loadu_si256(wq.add(v * 32).cast());
                        let pairs = _mm256_maddubs_epi16(x, wv);
                        *acc = _mm256_add_epi32(*acc, _mm256_madd_epi16(pairs, ones));
                    }
                }
            }
            for (v, acc) in acc.iter().enumerate() {
                // SAFETY: out[r] holds NR = 8 × 8 i32.
                unsafe { _mm256_storeu_si256(out[r][v * 8..].as_mut_ptr().cast(), *acc) };
            }
        }
        out
    }
}

/// `a` (`m` rows of `b.kp()` u8) times the packed weights: row-major `m × b.n()` i32. The kernels'
/// common entry point, used by the tests to compare them with a plain reference.
pub fn matmul_u8i8(kernel: Kernel, a: &[u8], m: usize, b: &PackedWeights) -> Vec<i32> {
    let (n, kp) = (b.n, b.kp);
    assert_eq!(a.len(), m * kp, "activations are not {m} x {kp}");
    let mut out = vec![0i32; m * n];
    for_each_tile(kernel, a, m, b, |row, col0, rows, t| {
        for r in 0..rows {
            let cols = NR.min(n - col0);
            out[(row + r) * n + col0..(row + r) * n + col0 + cols].copy_from_slice(&t[r][..cols]);
        }
    });
    out
}

/// Calls `f(first_row, first_column, rows, tile)` for every micro-tile of `a × b`, panel by panel
/// within blocks of rows (sequentially; callers parallelise over row blocks).
fn for_each_tile(
    kernel: Kernel,
    a: &[u8],
    m: usize,
    b: &PackedWeights,
    mut f: impl FnMut(usize, usize, usize, &Tile),
) {
    let kp = b.kp;
    for p in 0..b.panels() {
        let panel = b.panel(p);
        let mut row = 0;
        while row < m {
            let rows = MR.min(m - row);
            let t = tile(kernel, &a[row * kp..], kp, rows, panel, kp);
            f(row, p * NR, rows, &t);
            row += rows;
        }
    }
}

/// A linear layer `y = x Wᵀ + b` with int8 weights.
#[derive(Debug, Clone)]
pub struct Q8Linear {
    weights: PackedWeights,
    /// Per output column: the weight scale and the sum of its int8 weights.
    scales: Vec<f32>,
    sums: Vec<i32>,
    bias: Vec<f32>,
    kernel: Kernel,
}

/// Symmetric per-row int8 quantisation of `w` (`n` rows of `k`): codes in [-127, 127] and scales.
pub fn quantize_weights(w: &[f32], n: usize, k: usize) -> (Vec<i8>, Vec<f32>) {
    let mut codes = vec![0i8; n * k];
    let mut scales = vec![0f32; n];
    for ((row, out), scale) in w
        .chunks_exact(k)
        .zip(codes.chunks_exact_mut(k))
        .zip(scales.iter_mut())
    {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        *scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let inv = 1.0 / *scale;
        for (o, &v) in out.iter_mut().zip(row) {
            *o = (v * inv).round().clamp(-127.0, 127.0) as i8;
        }
    }
    (codes, scales)
}

multiversion!(
    fn forward_block(lin: &Q8Linear, x: &[f32], out: &mut [f32]) {
        // One task's rows: quantise them, then walk every weight panel over them, applying scales,
        // zero points and bias to each tile while it is in registers/L1.
        let (k, n, kp) = (lin.weights.k, lin.weights.n, lin.weights.kp);
        let rows = x.len() / k;
        let max_code = lin.kernel.max_code();
        let mut a = vec![0u8; rows * kp];
        let mut quant = Vec::with_capacity(rows);
        for (x, a) in x.chunks_exact(k).zip(a.chunks_exact_mut(kp)) {
            quant.push(quantize_row(x, max_code, a));
        }
        for p in 0..lin.weights.panels() {
            let panel = lin.weights.panel(p);
            let col0 = p * NR;
            let cols = NR.min(n - col0);
            let sw = &lin.scales[col0..col0 + cols];
            let sums = &lin.sums[col0..col0 + cols];
            let bias = &lin.bias[col0..col0 + cols];
            let mut row = 0;
            while row < rows {
                let rs = MR.min(rows - row);
                let t = tile(lin.kernel, &a[row * kp..], kp, rs, panel, kp);
                for (r, t) in t.iter().enumerate().take(rs) {
                    let (sx, zp) = quant[row + r];
                    let dst = &mut out[(row + r) * n + col0..(row + r) * n + col0 + cols];
                    for c in 0..cols {
                        let acc = t[c] - zp * sums[c];
                        dst[c] = acc as f32 * (sx * sw[c]) + bias[c];
                    }
                }
                row += rs;
            }
        }
    }
);

/// Asymmetric quantisation of one activation row into `out` (`kp` long, the tail zero-filled):
/// returns (scale, zero point). Codes span [0, `max_code`] and the range always contains 0.
#[inline(always)]
pub fn quantize_row(x: &[f32], max_code: u8, out: &mut [u8]) -> (f32, i32) {
    let (lo, hi) = (lanes_min(x).min(0.0), lanes_max(x).max(0.0));
    let levels = f32::from(max_code);
    let scale = if hi > lo { (hi - lo) / levels } else { 1.0 };
    let inv = 1.0 / scale;
    let zp = (-lo * inv).round().clamp(0.0, levels);
    // Rounding by adding 1.5 · 2^23, which leaves the nearest integer in the low mantissa bits:
    // unlike `round` or a saturating `as` cast this vectorises, and it is defined for NaN too.
    const MAGIC: f32 = 12_582_912.0;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = ((v * inv + zp).clamp(0.0, levels) + MAGIC).to_bits() as u8;
    }
    out[x.len()..].fill(0);
    (scale, zp as i32)
}

impl Q8Linear {
    /// Quantises `weight` (`[out, in]` f32, row-major) per output channel.
    pub fn new(weight: &[f32], bias: Option<&[f32]>, n: usize, k: usize, kernel: Kernel) -> Self {
        let (codes, scales) = quantize_weights(weight, n, k);
        let sums = codes
            .chunks_exact(k)
            .map(|r| r.iter().map(|&v| i32::from(v)).sum())
            .collect();
        Self {
            weights: PackedWeights::pack(&codes, n, k),
            scales,
            sums,
            bias: bias.map_or_else(|| vec![0.0; n], <[f32]>::to_vec),
            kernel,
        }
    }

    /// From a candle Linear's f32 tensors (`weight` [out, in], `bias` [out]).
    pub fn from_tensors(
        weight: &Tensor,
        bias: Option<&Tensor>,
        kernel: Kernel,
    ) -> candle_core::Result<Self> {
        let (n, k) = weight.dims2()?;
        let w = weight
            .to_dtype(candle_core::DType::F32)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let b = match bias {
            Some(b) => Some(b.to_dtype(candle_core::DType::F32)?.to_vec1::<f32>()?),
            None => None,
        };
        Ok(Self::new(&w, b.as_deref(), n, k, kernel))
    }

    pub fn in_features(&self) -> usize {
        self.weights.k
    }

    pub fn out_features(&self) -> usize {
        self.weights.n
    }

    /// `x`: `m` rows of `in_features` f32 → `m` rows of `out_features`.
    pub fn forward_slice(&self, x: &[f32], out: &mut [f32]) {
        let (k, n) = (self.weights.k, self.weights.n);
        let m = x.len() / k;
        assert!(x.len() == m * k && out.len() == m * n, "shape mismatch");
        out.par_chunks_mut(ROWS_PER_TASK * n)
            .zip(x.par_chunks(ROWS_PER_TASK * k))
            .for_each(|(out, x)| forward_block(self, x, out));
    }

    /// `x`: [..., in_features] f32 → [..., out_features].
    pub fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.apply_op1_no_bwd(self)
    }
}

impl CustomOp1 for Q8Linear {
    fn name(&self) -> &'static str {
        "q8-linear"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let x = f32_input(storage, layout, self.name())?;
        let dims = layout.shape().dims();
        if dims.last() != Some(&self.weights.k) {
            candle_core::bail!(
                "q8 linear: input {:?} does not end in {}",
                dims,
                self.weights.k
            );
        }
        let m = x.len() / self.weights.k;
        let mut out = vec![0f32; m * self.weights.n];
        self.forward_slice(x, &mut out);
        let mut out_dims = dims.to_vec();
        if let Some(last) = out_dims.last_mut() {
            *last = self.weights.n;
        }
        Ok((CpuStorage::F32(out), Shape::from(out_dims)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_quantisation_round_trips_within_half_a_step() {
        let x: Vec<f32> = (0..37)
            .map(|i| (i as f32 * 0.37).sin() * 3.0 - 0.5)
            .collect();
        let mut a = vec![7u8; 40];
        let (s, zp) = quantize_row(&x, 255, &mut a);
        for (v, &q) in x.iter().zip(&a) {
            let back = (i32::from(q) - zp) as f32 * s;
            assert!((back - v).abs() <= 0.5 * s + 1e-6, "{v} -> {back}");
        }
        assert_eq!(&a[37..], &[0, 0, 0]);
    }
}
