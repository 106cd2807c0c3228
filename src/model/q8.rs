//! Int8 linear layers for the CPU (`--dtype q8`): weights quantised per output channel when the
//! model loads, activations per token at run time, u8 × i8 products accumulated in i32 by an
//! AVX-512 VNNI, AVX-VNNI, AVX2 or portable kernel chosen at run time; scales and bias are
//! applied in f32.
//! Each operand's rounding error is kept as a second int8 code and three products are summed
//! (see [`Q8Linear`]), so that q8 gives the findings f32 gives.
//!
//! Activations are quantised asymmetrically (a zero point per row), because GELU outputs lie
//! mostly in [-0.17, ∞) and a symmetric range would waste half the codes. With `u = q + zp`:
//! `Σ u·w = Σ q·w + zp·Σ w`, so the zero point is removed once per output with the column sums of
//! the weights.

use std::mem::MaybeUninit;

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};
use rayon::prelude::*;

use super::vecmath::{
    as_uninit, forced_kernel, lanes_max, lanes_min, linear_output, multiversion, Simd,
};

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
    /// `vpdpbusd` on 256-bit vectors (AVX-VNNI: Intel client CPUs from Alder Lake on, which have
    /// no AVX-512), with full 8-bit activations.
    AvxVnni,
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
            if std::arch::is_x86_feature_detected!("avxvnni") {
                return Kernel::AvxVnni;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Scalar
    }

    /// The kernel `MTCHECK_Q8_KERNEL` names (`vnni512`, `avxvnni`, `avx2`, `scalar`: measuring a
    /// fallback on a CPU that has a faster one), else the fastest available.
    pub fn choose() -> Result<Self, String> {
        let names = [
            ("vnni512", Kernel::Vnni512),
            ("avxvnni", Kernel::AvxVnni),
            ("avx2", Kernel::Avx2),
            ("scalar", Kernel::Scalar),
        ];
        Ok(
            forced_kernel("MTCHECK_Q8_KERNEL", &names, Kernel::available)?
                .unwrap_or_else(Self::detect),
        )
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
            Kernel::AvxVnni => std::arch::is_x86_feature_detected!("avxvnni"),
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
            Kernel::Vnni512 | Kernel::AvxVnni | Kernel::Scalar => 255,
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
        Kernel::AvxVnni => {
            assert!(Kernel::AvxVnni.available(), "AVX-VNNI is not available");
            // SAFETY: as for the VNNI kernel.
            unsafe { x86::tile_avxvnni(a, &starts, panel, kp) }
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
    /// Needs AVX-VNNI; bounds as for [`tile_vnni512`].
    #[target_feature(enable = "avx2,avxvnni")]
    pub(super) unsafe fn tile_avxvnni(
        a: &[u8],
        starts: &[usize; MR],
        panel: &[i8],
        kp: usize,
    ) -> Tile {
        let mut out = [[0i32; NR]; MR];
        let w = panel.as_ptr();
        let rows: [*const u8; MR] = std::array::from_fn(|r| a.as_ptr().wrapping_add(starts[r]));
        // 16 ymm registers: a quarter of the panel (16 columns) at a time, 6 rows × 2 accumulators.
        for quarter in 0..4 {
            let mut acc = [[_mm256_setzero_si256(); 2]; MR];
            for q in 0..kp / 4 {
                // SAFETY: q * 4 + 4 ≤ kp, inside the caller's bounds.
                unsafe {
                    let wq = w.add(q * NR * 4 + quarter * 64);
                    let w0 = _mm256_loadu_si256(wq.cast());
                    let w1 = _mm256_loadu_si256(wq.add(32).cast());
                    for r in 0..MR {
                        let x =
                            _mm256_set1_epi32(rows[r].add(q * 4).cast::<i32>().read_unaligned());
                        acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], x, w0);
                        acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], x, w1);
                    }
                }
            }
            for (out, acc) in out.iter_mut().zip(&acc) {
                for (v, acc) in acc.iter().enumerate() {
                    let col = quarter * 16 + v * 8;
                    // SAFETY: a row of `out` holds NR i32 and col + 8 ≤ NR.
                    unsafe { _mm256_storeu_si256(out[col..].as_mut_ptr().cast(), *acc) };
                }
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

/// A linear layer `y = x Wᵀ + b` with int8 weights and error compensation.
///
/// One int8 product alone (per-channel weights, per-token activations: cosine 0.9994 to f32) moved
/// near-tie alignment and threshold decisions in 5 of 26 development pairs. So each operand keeps
/// its rounding error as a second int8 code on a finer scale of its own: `W ≈ sw·Q + sr·Qr` and
/// `x ≈ sx·(q − zp) + sx2·(q2 − zp2)`, and `x·W` sums the products `q·Q`, `q·Qr` and `q2·Q`. The
/// fourth, `q2·Qr`, about 1/65,000 of the first (the size of the residuals' own rounding), is left
/// out. Three int8 products give cosine 0.99999997 to f32 and identical findings.
#[derive(Debug, Clone)]
pub struct Q8Linear {
    weights: PackedWeights,
    /// `W − sw·Q` quantised per output column again.
    residual: PackedWeights,
    /// Per output column, padded with zeros to whole panels so the kernels read whole vectors:
    /// weight scales and sums of int8 codes (to remove activation zero points), for `Q` and `Qr`.
    scales: Vec<f32>,
    sums: Vec<i32>,
    res_scales: Vec<f32>,
    res_sums: Vec<i32>,
    bias: Vec<f32>,
    kernel: Kernel,
}

/// Symmetric per-row int8 quantisation of `w` (`n` rows of `k`): codes in [-127, 127] and scales.
pub fn quantize_weights(w: &[f32], n: usize, k: usize) -> (Vec<i8>, Vec<f32>) {
    let mut codes = vec![0i8; n * k];
    let mut scales = vec![0f32; n];
    quantize_rows(w, k, &mut codes, &mut scales);
    (codes, scales)
}

multiversion!(
    // Compiled per instruction set so that `round` is inlined and vectorised: as a libm call per
    // weight it was a third of a q8 load.
    fn quantize_rows(w: &[f32], k: usize, codes: &mut [i8], scales: &mut [f32]) {
        for ((row, out), scale) in w
            .chunks_exact(k)
            .zip(codes.chunks_exact_mut(k))
            .zip(scales.iter_mut())
        {
            let mut max = 0f32;
            for v in row {
                max = max.max(v.abs());
            }
            *scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            let inv = 1.0 / *scale;
            for (o, &v) in out.iter_mut().zip(row) {
                *o = (v * inv).round().clamp(-127.0, 127.0) as i8;
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

/// Quantises one activation row and its rounding error: codes into `a` and `a2` (each `kp` long),
/// `(scale, zero point)` of each. `err` is scratch of the row's length.
#[inline(always)]
fn quantize_row_compensated(
    x: &[f32],
    max_code: u8,
    a: &mut [u8],
    a2: &mut [u8],
    err: &mut [f32],
) -> [(f32, i32); 2] {
    let (s, zp) = quantize_row(x, max_code, a);
    for ((e, &v), &q) in err.iter_mut().zip(x).zip(a.iter()) {
        *e = v - (i32::from(q) - zp) as f32 * s;
    }
    [(s, zp), quantize_row(err, max_code, a2)]
}

/// Per-row quantisation of one task's activations, and where its outputs go.
struct Rows<'a> {
    a: &'a [u8],
    a2: &'a [u8],
    /// `[(sx, zp), (sx2, zp2)]` per row.
    quant: &'a [[(f32, i32); 2]],
}

/// Combines the three i32 products of one output into f32 (the kernels' epilogue, and the
/// reference the fused VNNI epilogue is tested against).
#[inline(always)]
fn combine(lin: &Q8Linear, c: usize, [(sx, zp), (sx2, zp2)]: [(f32, i32); 2], p: [i32; 3]) -> f32 {
    let main = (p[0] - zp * lin.sums[c]) as f32;
    let wres = (p[1] - zp * lin.res_sums[c]) as f32;
    let ares = (p[2] - zp2 * lin.sums[c]) as f32;
    sx * (main * lin.scales[c] + wres * lin.res_scales[c])
        + sx2 * (ares * lin.scales[c])
        + lin.bias[c]
}

multiversion!(
    fn forward_block(lin: &Q8Linear, x: &[f32], out: &mut [MaybeUninit<f32>]) {
        // One task's rows: quantise them, then walk every weight panel over them, applying scales,
        // zero points and bias to each tile while it is in registers/L1.
        let (k, kp) = (lin.weights.k, lin.weights.kp);
        let rows = x.len() / k;
        let max_code = lin.kernel.max_code();
        let (mut a, mut a2) = (vec![0u8; rows * kp], vec![0u8; rows * kp]);
        let mut err = vec![0f32; k];
        // A loop, not a closure: closures do not inherit the target features of `forward_block`.
        let mut quant = Vec::with_capacity(rows);
        for (x, (a, a2)) in x
            .chunks_exact(k)
            .zip(a.chunks_exact_mut(kp).zip(a2.chunks_exact_mut(kp)))
        {
            quant.push(quantize_row_compensated(x, max_code, a, a2, &mut err));
        }
        let rows = Rows {
            a: &a,
            a2: &a2,
            quant: &quant,
        };
        match lin.kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::Vnni512 => fused_vnni512(lin, &rows, out),
            _ => three_products(lin, &rows, out),
        }
    }
);

/// The portable epilogue: three products per micro-tile from [`tile`], combined per element.
fn three_products(lin: &Q8Linear, rows: &Rows, out: &mut [MaybeUninit<f32>]) {
    let (n, kp) = (lin.weights.n, lin.weights.kp);
    let m = rows.quant.len();
    for p in 0..lin.weights.panels() {
        let (panel, res) = (lin.weights.panel(p), lin.residual.panel(p));
        let col0 = p * NR;
        let cols = NR.min(n - col0);
        let mut row = 0;
        while row < m {
            let rs = MR.min(m - row);
            let main = tile(lin.kernel, &rows.a[row * kp..], kp, rs, panel, kp);
            let wres = tile(lin.kernel, &rows.a[row * kp..], kp, rs, res, kp);
            let ares = tile(lin.kernel, &rows.a2[row * kp..], kp, rs, panel, kp);
            for r in 0..rs {
                let dst = &mut out[(row + r) * n + col0..(row + r) * n + col0 + cols];
                for (c, d) in dst.iter_mut().enumerate() {
                    let products = [main[r][c], wres[r][c], ares[r][c]];
                    d.write(combine(lin, col0 + c, rows.quant[row + r], products));
                }
            }
            row += rs;
        }
    }
}

/// Rows per fused VNNI micro-tile: 4 rows × 3 products × 2 vectors = 24 accumulators, 4 weight
/// vectors and 2 broadcasts fit the 32 zmm registers.
#[cfg(target_arch = "x86_64")]
const MR_FUSED: usize = 4;

#[cfg(target_arch = "x86_64")]
fn fused_vnni512(lin: &Q8Linear, rows: &Rows, out: &mut [MaybeUninit<f32>]) {
    let (n, kp) = (lin.weights.n, lin.weights.kp);
    let m = rows.quant.len();
    assert!(Kernel::Vnni512.available(), "AVX-512 VNNI is not available");
    assert!(rows.a.len() >= m * kp && rows.a2.len() >= m * kp && out.len() >= m * n);
    let panels = lin.weights.panels();
    assert!(lin.scales.len() >= panels * NR && lin.res_sums.len() >= panels * NR);
    for p in 0..panels {
        let col0 = p * NR;
        let cols = NR.min(n - col0);
        let mut row = 0;
        while row < m {
            let rs = MR_FUSED.min(m - row);
            // SAFETY: the features were checked above; activations hold m rows of kp, the panels
            // kp * NR codes, the per-column vectors whole panels, and `out` m rows of n, of which
            // the kernel writes rows row..row + rs and columns col0..col0 + cols.
            unsafe { x86_fused::tile(lin, rows, row, rs, p, cols, out.as_mut_ptr().cast()) };
            row += rs;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86_fused {
    use super::{Q8Linear, Rows, MR_FUSED, NR};
    use std::arch::x86_64::*;

    /// Rows `row..row + rows` (≤ [`MR_FUSED`]) times panel `p`: the three products and the
    /// epilogue, written to `out` (row stride `n`), columns `p·NR..p·NR + cols`.
    ///
    /// # Safety
    /// Needs AVX-512 F/BW/VNNI; bounds as [`super::fused_vnni512`] checks them.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    // One row or vector index runs over the three accumulator sets at once.
    #[allow(clippy::needless_range_loop)]
    pub(super) unsafe fn tile(
        lin: &Q8Linear,
        x: &Rows,
        row: usize,
        rows: usize,
        p: usize,
        cols: usize,
        out: *mut f32,
    ) {
        let (kp, n) = (lin.weights.kp, lin.weights.n);
        let col0 = p * NR;
        // Missing rows of a ragged last tile repeat the first row; their results are discarded.
        let start = |r: usize| (row + if r < rows { r } else { 0 }) * kp;
        let a: [*const u8; MR_FUSED] = std::array::from_fn(|r| x.a[start(r)..].as_ptr());
        let a2: [*const u8; MR_FUSED] = std::array::from_fn(|r| x.a2[start(r)..].as_ptr());
        let (w, wr) = (
            lin.weights.panel(p).as_ptr(),
            lin.residual.panel(p).as_ptr(),
        );
        // Two halves of 32 columns, so that the accumulators fit in registers.
        for half in 0..2 {
            if half * 32 >= cols {
                break;
            }
            let mut acc = [[[_mm512_setzero_si512(); 2]; MR_FUSED]; 3];
            for q in 0..kp / 4 {
                // SAFETY: q * 4 + 4 ≤ kp, so the reads stay inside the rows and panels.
                unsafe {
                    let off = q * NR * 4 + half * 128;
                    let w0 = _mm512_loadu_si512(w.add(off).cast());
                    let w1 = _mm512_loadu_si512(w.add(off + 64).cast());
                    let r0 = _mm512_loadu_si512(wr.add(off).cast());
                    let r1 = _mm512_loadu_si512(wr.add(off + 64).cast());
                    for r in 0..MR_FUSED {
                        let xa = _mm512_set1_epi32(a[r].add(q * 4).cast::<i32>().read_unaligned());
                        let xb = _mm512_set1_epi32(a2[r].add(q * 4).cast::<i32>().read_unaligned());
                        acc[0][r][0] = _mm512_dpbusd_epi32(acc[0][r][0], xa, w0);
                        acc[0][r][1] = _mm512_dpbusd_epi32(acc[0][r][1], xa, w1);
                        acc[1][r][0] = _mm512_dpbusd_epi32(acc[1][r][0], xa, r0);
                        acc[1][r][1] = _mm512_dpbusd_epi32(acc[1][r][1], xa, r1);
                        acc[2][r][0] = _mm512_dpbusd_epi32(acc[2][r][0], xb, w0);
                        acc[2][r][1] = _mm512_dpbusd_epi32(acc[2][r][1], xb, w1);
                    }
                }
            }
            for v in 0..2 {
                let c = half * 32 + v * 16;
                if c >= cols {
                    break;
                }
                let mask: __mmask16 = if cols - c >= 16 {
                    0xFFFF
                } else {
                    (1u16 << (cols - c)) - 1
                };
                // SAFETY: the per-column vectors are padded to whole panels.
                let (sw, sr, sums, rsums, bias) = unsafe {
                    (
                        _mm512_loadu_ps(lin.scales.as_ptr().add(col0 + c)),
                        _mm512_loadu_ps(lin.res_scales.as_ptr().add(col0 + c)),
                        _mm512_loadu_si512(lin.sums.as_ptr().add(col0 + c).cast()),
                        _mm512_loadu_si512(lin.res_sums.as_ptr().add(col0 + c).cast()),
                        _mm512_loadu_ps(lin.bias.as_ptr().add(col0 + c)),
                    )
                };
                for r in 0..rows {
                    let [(sx, zp), (sx2, zp2)] = x.quant[row + r];
                    let (zp, zp2) = (_mm512_set1_epi32(zp), _mm512_set1_epi32(zp2));
                    let main = _mm512_sub_epi32(acc[0][r][v], _mm512_mullo_epi32(zp, sums));
                    let wres = _mm512_sub_epi32(acc[1][r][v], _mm512_mullo_epi32(zp, rsums));
                    let ares = _mm512_sub_epi32(acc[2][r][v], _mm512_mullo_epi32(zp2, sums));
                    // The same operations, in the same order, as `combine`: no fused multiply-add.
                    let y = _mm512_add_ps(
                        _mm512_mul_ps(_mm512_cvtepi32_ps(main), sw),
                        _mm512_mul_ps(_mm512_cvtepi32_ps(wres), sr),
                    );
                    let y = _mm512_add_ps(
                        _mm512_add_ps(
                            _mm512_mul_ps(_mm512_set1_ps(sx), y),
                            _mm512_mul_ps(
                                _mm512_set1_ps(sx2),
                                _mm512_mul_ps(_mm512_cvtepi32_ps(ares), sw),
                            ),
                        ),
                        bias,
                    );
                    // SAFETY: row + r < m and col0 + c + (masked lanes) ≤ n.
                    unsafe { _mm512_mask_storeu_ps(out.add((row + r) * n + col0 + c), mask, y) };
                }
            }
        }
    }
}

/// Zero-pads a per-column vector to `len` (whole panels).
fn padded<T: Copy + Default>(mut v: Vec<T>, len: usize) -> Vec<T> {
    v.resize(len, T::default());
    v
}

/// Sum of each row's int8 codes.
fn row_sums(codes: &[i8], k: usize) -> Vec<i32> {
    codes
        .chunks_exact(k)
        .map(|r| r.iter().map(|&v| i32::from(v)).sum())
        .collect()
}

impl Q8Linear {
    /// Quantises `weight` (`[out, in]` f32, row-major) per output channel, and its rounding error.
    pub fn new(weight: &[f32], bias: Option<&[f32]>, n: usize, k: usize, kernel: Kernel) -> Self {
        let (codes, scales) = quantize_weights(weight, n, k);
        let error: Vec<f32> = weight
            .chunks_exact(k)
            .zip(codes.chunks_exact(k).zip(&scales))
            .flat_map(|(w, (q, &s))| w.iter().zip(q).map(move |(&w, &q)| w - f32::from(q) * s))
            .collect();
        let (res_codes, res_scales) = quantize_weights(&error, n, k);
        let len = n.div_ceil(NR) * NR;
        Self {
            weights: PackedWeights::pack(&codes, n, k),
            residual: PackedWeights::pack(&res_codes, n, k),
            sums: padded(row_sums(&codes, k), len),
            res_sums: padded(row_sums(&res_codes, k), len),
            scales: padded(scales, len),
            res_scales: padded(res_scales, len),
            bias: padded(bias.map_or_else(|| vec![0.0; n], <[f32]>::to_vec), len),
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
        self.forward_into(x, as_uninit(out));
    }

    /// As [`Self::forward_slice`], into memory that need not be initialised: writes every element.
    fn forward_into(&self, x: &[f32], out: &mut [MaybeUninit<f32>]) {
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
        let shape = (self.weights.k, self.weights.n);
        linear_output(storage, layout, self.name(), shape, |x, out| {
            self.forward_into(x, out)
        })
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
