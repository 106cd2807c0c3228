//! f32 linear layers for AVX-512 and AVX2 CPUs: weights packed at load into 64-column panels and a
//! 6 × 64 FMA micro-kernel (AVX-512), or the same tile as four 6 × 16 passes (AVX2 + FMA). candle's
//! gemm uses only AVX2 on stable Rust (its AVX-512 kernels need a nightly feature) and ran two
//! thirds of the f32 encoder's time. Both kernels sum each output in the same order with fused
//! multiply-adds, so they give the same bits.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::vecmath::{as_uninit, forced_kernel, linear_output};

/// Output columns per packed panel (four 16-lane vectors).
const NR: usize = 64;
/// Rows per micro-tile: 6 × 4 accumulators + 4 weight vectors + 1 broadcast fit 32 registers.
const MR: usize = 6;
/// Rows per rayon task.
const ROWS_PER_TASK: usize = 64;

/// Which packed f32 kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum F32Kernel {
    /// 512-bit FMA.
    Avx512,
    /// 256-bit FMA (AVX2 CPUs without AVX-512: most AMD before Zen 4, Intel client CPUs).
    Avx2,
}

impl F32Kernel {
    /// The fastest kernel this CPU runs; `None` leaves candle's matmul in use.
    pub fn detect() -> Option<Self> {
        [F32Kernel::Avx512, F32Kernel::Avx2]
            .into_iter()
            .find(|k| k.available())
    }

    /// The kernel `MTCHECK_F32_KERNEL` names (`avx512`, `avx2`, or `candle` for candle's matmul:
    /// measuring a fallback on a CPU that has a faster one), else [`F32Kernel::detect`].
    pub fn choose() -> Result<Option<Self>, String> {
        let names = [
            ("avx512", Some(F32Kernel::Avx512)),
            ("avx2", Some(F32Kernel::Avx2)),
            ("candle", None),
        ];
        let available = |k: Option<Self>| k.is_none_or(Self::available);
        Ok(forced_kernel("MTCHECK_F32_KERNEL", &names, available)?.unwrap_or_else(Self::detect))
    }

    /// Whether this CPU can run the kernel.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                F32Kernel::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
                F32Kernel::Avx2 => {
                    std::arch::is_x86_feature_detected!("avx2")
                        && std::arch::is_x86_feature_detected!("fma")
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }
}

/// `y = x Wᵀ + b` with `W` packed as `[panel][k][64]` (the last panel zero-padded).
#[derive(Debug, Clone)]
pub struct F32Linear {
    panels: Vec<f32>,
    k: usize,
    n: usize,
    bias: Vec<f32>,
    kernel: F32Kernel,
}

impl F32Linear {
    /// Packs row-major `weight` (`n` rows of `k`) for `kernel`.
    pub fn new(
        weight: &[f32],
        bias: Option<&[f32]>,
        n: usize,
        k: usize,
        kernel: F32Kernel,
    ) -> Self {
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
            kernel,
        }
    }

    /// `x`: `m` rows of `k` → `out`: `m` rows of `n`.
    pub fn forward_slice(&self, x: &[f32], out: &mut [f32]) {
        self.forward_into(x, as_uninit(out));
    }

    /// As [`Self::forward_slice`], into memory that need not be initialised: writes every element.
    fn forward_into(&self, x: &[f32], out: &mut [MaybeUninit<f32>]) {
        let (k, n) = (self.k, self.n);
        let m = x.len() / k.max(1);
        assert!(x.len() == m * k && out.len() == m * n, "shape mismatch");
        assert!(
            self.kernel.available(),
            "{:?} is not available",
            self.kernel
        );
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
                        // SAFETY: the kernel's features were checked above; every start + k ≤
                        // x.len() (rows are whole) and the panel holds k × NR values.
                        let t = unsafe {
                            match self.kernel {
                                F32Kernel::Avx512 => tile_avx512(x, &starts, panel, k),
                                F32Kernel::Avx2 => tile_avx2(x, &starts, panel, k),
                            }
                        };
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

/// The AVX-512 tile computed as four passes of 16 columns: 6 rows × 2 accumulators, 2 weight
/// vectors and a broadcast fit the 16 ymm registers.
///
/// # Safety
/// Needs AVX2 and FMA; bounds as for [`tile_avx512`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_avx2(x: &[f32], starts: &[usize; MR], panel: &[f32], k: usize) -> [[f32; NR]; MR] {
    use std::arch::x86_64::*;
    let mut out = [[0f32; NR]; MR];
    let rows: [*const f32; MR] = std::array::from_fn(|r| x.as_ptr().wrapping_add(starts[r]));
    let w = panel.as_ptr();
    for quarter in 0..4 {
        let mut acc = [[_mm256_setzero_ps(); 2]; MR];
        for kk in 0..k {
            // SAFETY: kk < k, inside the bounds the caller guarantees.
            unsafe {
                let wk = w.add(kk * NR + quarter * 16);
                let w0 = _mm256_loadu_ps(wk);
                let w1 = _mm256_loadu_ps(wk.add(8));
                for r in 0..MR {
                    let a = _mm256_set1_ps(*rows[r].add(kk));
                    acc[r][0] = _mm256_fmadd_ps(a, w0, acc[r][0]);
                    acc[r][1] = _mm256_fmadd_ps(a, w1, acc[r][1]);
                }
            }
        }
        for (out, acc) in out.iter_mut().zip(&acc) {
            for (v, acc) in acc.iter().enumerate() {
                // SAFETY: a row of `out` holds NR f32 and quarter * 16 + v * 8 + 8 ≤ NR.
                unsafe { _mm256_storeu_ps(out[quarter * 16 + v * 8..].as_mut_ptr(), *acc) };
            }
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
