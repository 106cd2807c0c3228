//! f32 linear layers for AVX-512 CPUs: weights packed at load into 64-column panels and a 6 × 64
//! FMA micro-kernel. candle's gemm uses only AVX2 on stable Rust (its AVX-512 kernels need a
//! nightly feature) and ran two thirds of the f32 encoder's time.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::vecmath::{as_uninit, linear_output};

/// Output columns per packed panel (four 16-lane vectors).
const NR: usize = 64;
/// Rows per micro-tile: 6 × 4 accumulators + 4 weight vectors + 1 broadcast fit 32 registers.
const MR: usize = 6;
/// Rows per rayon task.
const ROWS_PER_TASK: usize = 64;

/// `y = x Wᵀ + b` with `W` packed as `[panel][k][64]` (the last panel zero-padded).
#[derive(Debug, Clone)]
pub struct F32Linear {
    panels: Vec<f32>,
    k: usize,
    n: usize,
    bias: Vec<f32>,
}

impl F32Linear {
    /// Whether this CPU runs the packed kernel (else candle's matmul stays in use).
    pub fn available() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx512f")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// Packs row-major `weight` (`n` rows of `k`).
    pub fn new(weight: &[f32], bias: Option<&[f32]>, n: usize, k: usize) -> Self {
        assert_eq!(weight.len(), n * k, "weights are not {n} x {k}");
        let mut panels = vec![0f32; n.div_ceil(NR) * k * NR];
        for (col, row) in weight.chunks_exact(k).enumerate() {
            let (p, c) = (col / NR, col % NR);
            for (kk, &v) in row.iter().enumerate() {
                panels[p * k * NR + kk * NR + c] = v;
            }
        }
        Self {
            panels,
            k,
            n,
            bias: bias.map_or_else(|| vec![0.0; n], <[f32]>::to_vec),
        }
    }

    /// `x`: `m` rows of `k` → `out`: `m` rows of `n`. Needs [`F32Linear::available`].
    pub fn forward_slice(&self, x: &[f32], out: &mut [f32]) {
        self.forward_into(x, as_uninit(out));
    }

    /// As [`Self::forward_slice`], into memory that need not be initialised: writes every element.
    fn forward_into(&self, x: &[f32], out: &mut [MaybeUninit<f32>]) {
        let (k, n) = (self.k, self.n);
        let m = x.len() / k.max(1);
        assert!(x.len() == m * k && out.len() == m * n, "shape mismatch");
        assert!(Self::available(), "AVX-512 is not available");
        out.par_chunks_mut(ROWS_PER_TASK * n)
            .zip(x.par_chunks(ROWS_PER_TASK * k))
            .for_each(|(out, x)| {
                let rows = x.len() / k;
                for p in 0..n.div_ceil(NR) {
                    let panel = &self.panels[p * k * NR..(p + 1) * k * NR];
                    let col0 = p * NR;
                    let cols = NR.min(n - col0);
                    let mut row = 0;
                    while row < rows {
                        let rs = MR.min(rows - row);
                        // Missing rows of a ragged tile repeat its first row; discarded below.
                        let starts: [usize; MR] =
                            std::array::from_fn(|r| if r < rs { (row + r) * k } else { row * k });
                        #[cfg(target_arch = "x86_64")]
                        // SAFETY: AVX-512F was checked above; every start + k ≤ x.len() (rows
                        // are whole) and the panel holds k × NR values.
                        let t = unsafe { tile_avx512(x, &starts, panel, k) };
                        #[cfg(not(target_arch = "x86_64"))]
                        let t = [[0f32; NR]; MR];
                        for (r, t) in t.iter().enumerate().take(rs) {
                            let dst = &mut out[(row + r) * n + col0..(row + r) * n + col0 + cols];
                            for ((d, &v), &b) in dst.iter_mut().zip(t).zip(&self.bias[col0..]) {
                                d.write(v + b);
                            }
                        }
                        row += rs;
                    }
                }
            });
    }
}

/// # Safety
/// Needs AVX-512F; every `starts[r] + k ≤ x.len()` and `k * NR ≤ panel.len()`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn tile_avx512(x: &[f32], starts: &[usize; MR], panel: &[f32], k: usize) -> [[f32; NR]; MR] {
    use std::arch::x86_64::*;
    let mut acc = [[_mm512_setzero_ps(); 4]; MR];
    let rows: [*const f32; MR] = std::array::from_fn(|r| x.as_ptr().wrapping_add(starts[r]));
    let w = panel.as_ptr();
    for kk in 0..k {
        // SAFETY: kk < k, inside the bounds the caller guarantees.
        unsafe {
            let wk = w.add(kk * NR);
            let w0 = _mm512_loadu_ps(wk);
            let w1 = _mm512_loadu_ps(wk.add(16));
            let w2 = _mm512_loadu_ps(wk.add(32));
            let w3 = _mm512_loadu_ps(wk.add(48));
            for r in 0..MR {
                let a = _mm512_set1_ps(*rows[r].add(kk));
                acc[r][0] = _mm512_fmadd_ps(a, w0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(a, w1, acc[r][1]);
                acc[r][2] = _mm512_fmadd_ps(a, w2, acc[r][2]);
                acc[r][3] = _mm512_fmadd_ps(a, w3, acc[r][3]);
            }
        }
    }
    let mut out = [[0f32; NR]; MR];
    for r in 0..MR {
        for v in 0..4 {
            // SAFETY: out[r] holds 4 × 16 f32.
            unsafe { _mm512_storeu_ps(out[r][v * 16..].as_mut_ptr(), acc[r][v]) };
        }
    }
    out
}

impl candle_core::CustomOp1 for F32Linear {
    fn name(&self) -> &'static str {
        "packed-f32-linear"
    }

    fn cpu_fwd(
        &self,
        storage: &candle_core::CpuStorage,
        layout: &candle_core::Layout,
    ) -> candle_core::Result<(candle_core::CpuStorage, candle_core::Shape)> {
        linear_output(storage, layout, self.name(), (self.k, self.n), |x, out| {
            self.forward_into(x, out)
        })
    }
}
