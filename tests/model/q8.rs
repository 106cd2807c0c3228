//! The int8 kernels against a plain reference (bit-identical i32), and `Q8Linear` against an f32
//! linear layer.

use mtcheck::model::q8::{matmul_u8i8, Kernel, PackedWeights, Q8Linear};

/// Small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn f32(&mut self) -> f32 {
        (self.below(1 << 24) as f32 / (1 << 23) as f32) - 1.0
    }
}

fn reference(a: &[u8], m: usize, kp: usize, w: &[i8], n: usize, k: usize) -> Vec<i32> {
    let mut out = vec![0i32; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k)
                .map(|x| i32::from(a[i * kp + x]) * i32::from(w[j * k + x]))
                .sum();
        }
    }
    out
}

/// Shapes with m = 1, ragged m (not a multiple of the 6-row tile), ragged k (not a multiple of 4
/// or 64) and ragged n (not a multiple of the 64-column panel).
const SHAPES: &[(usize, usize, usize)] = &[
    (1, 1, 1),
    (1, 384, 64),
    (1, 13, 70),
    (7, 61, 65),
    (6, 64, 64),
    (13, 130, 129),
    (33, 1536, 100),
    (64, 384, 1152),
    (70, 3, 5),
];

/// Tests of kernels the CPU lacks are compiled as ignored (build.rs); one that runs must have
/// its kernel, or the build-time and run-time views of the CPU disagree.
fn require(kernel: Kernel) {
    assert!(
        kernel.available(),
        "{kernel:?}: build.rs saw it on this CPU, the run-time check does not"
    );
}

fn check_kernel(kernel: Kernel) {
    require(kernel);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let max = u64::from(kernel.max_code()) + 1;
    for &(m, k, n) in SHAPES {
        // Extremes included: every weight in [-127, 127], activations up to the kernel's maximum.
        let w: Vec<i8> = (0..n * k)
            .map(|i| match i % 97 {
                0 => -127,
                1 => 127,
                _ => rng.below(255) as i8 as i16 as i8,
            })
            .map(|v| v.max(-127))
            .collect();
        let packed = PackedWeights::pack(&w, n, k);
        let kp = packed.kp();
        let a: Vec<u8> = (0..m * kp)
            .map(|i| match i % 89 {
                0 => (max - 1) as u8,
                _ => rng.below(max) as u8,
            })
            .collect();
        // The padding of each row must not matter (the weights there are zero).
        let got = matmul_u8i8(kernel, &a, m, &packed);
        assert_eq!(
            got,
            reference(&a, m, kp, &w, n, k),
            "{kernel:?} m={m} k={k} n={n}"
        );
    }
    // All-maximum inputs: the worst case for 16-bit intermediates.
    let (m, k, n) = (3, 200, 64);
    let w = vec![127i8; n * k];
    let packed = PackedWeights::pack(&w, n, k);
    let a = vec![kernel.max_code(); m * packed.kp()];
    assert_eq!(
        matmul_u8i8(kernel, &a, m, &packed),
        reference(&a, m, packed.kp(), &w, n, k)
    );
    println!("{kernel:?}: bit-identical to the reference");
}

#[test]
#[cfg_attr(
    not(mtcheck_cpu = "avx512vnni"),
    ignore = "this CPU lacks AVX-512 VNNI"
)]
fn vnni512_kernel_is_bit_identical_to_the_reference() {
    check_kernel(Kernel::Vnni512);
}

#[test]
#[cfg_attr(not(mtcheck_cpu = "avxvnni"), ignore = "this CPU lacks AVX-VNNI")]
fn avxvnni_kernel_is_bit_identical_to_the_reference() {
    check_kernel(Kernel::AvxVnni);
}

#[test]
#[cfg_attr(not(mtcheck_cpu = "avx2"), ignore = "this CPU lacks AVX2")]
fn avx2_kernel_is_bit_identical_to_the_reference() {
    check_kernel(Kernel::Avx2);
}

#[test]
fn scalar_kernel_is_bit_identical_to_the_reference() {
    check_kernel(Kernel::Scalar);
}

#[test]
#[cfg_attr(
    not(mtcheck_cpu = "avx512vnni"),
    ignore = "this CPU lacks AVX-512 VNNI"
)]
fn q8_linear_is_close_to_the_f32_linear_with_the_vnni512_kernel() {
    close_to_f32(Kernel::Vnni512);
}

#[test]
#[cfg_attr(not(mtcheck_cpu = "avxvnni"), ignore = "this CPU lacks AVX-VNNI")]
fn q8_linear_is_close_to_the_f32_linear_with_the_avxvnni_kernel() {
    close_to_f32(Kernel::AvxVnni);
}

#[test]
#[cfg_attr(not(mtcheck_cpu = "avx2"), ignore = "this CPU lacks AVX2")]
fn q8_linear_is_close_to_the_f32_linear_with_the_avx2_kernel() {
    close_to_f32(Kernel::Avx2);
}

#[test]
fn q8_linear_is_close_to_the_f32_linear_with_the_scalar_kernel() {
    close_to_f32(Kernel::Scalar);
}

fn close_to_f32(kernel: Kernel) {
    require(kernel);
    let mut rng = Rng(42);
    {
        for &(m, k, n) in &[(1usize, 384usize, 1152usize), (37, 1536, 384), (5, 67, 3)] {
            let w: Vec<f32> = (0..n * k).map(|_| rng.f32() * 0.1).collect();
            let b: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
            // GELU-like activations: mostly small, some negative, a few large.
            let x: Vec<f32> = (0..m * k)
                .map(|i| {
                    let v = rng.f32();
                    if i % 53 == 0 {
                        v * 8.0
                    } else {
                        v.max(-0.17)
                    }
                })
                .collect();
            let lin = Q8Linear::new(&w, Some(&b), n, k, kernel);
            let mut got = vec![0f32; m * n];
            lin.forward_slice(&x, &mut got);
            let (mut err, mut norm) = (0f64, 0f64);
            for i in 0..m {
                for j in 0..n {
                    let exact: f32 =
                        (0..k).map(|t| x[i * k + t] * w[j * k + t]).sum::<f32>() + b[j];
                    err += f64::from(got[i * n + j] - exact).powi(2);
                    norm += f64::from(exact).powi(2);
                }
            }
            let rel = (err / norm).sqrt();
            // With both rounding errors compensated, what is left is the activations' second
            // rounding and the weights' residual one: about 1e-4 with 8-bit codes (the 8x outliers
            // stretch the activation range), four times that with 7-bit ones (AVX2). A single
            // int8 product gave 1-2%.
            let bound = if kernel == Kernel::Avx2 { 2e-3 } else { 5e-4 };
            assert!(
                rel < bound,
                "{kernel:?} m={m} k={k} n={n}: relative error {rel}"
            );
            println!("{kernel:?} m={m} k={k} n={n}: relative error {rel:.2e}");
        }
    }
}

/// The fused VNNI kernel (three products and the epilogue in registers, 4-row tiles, masked
/// stores) against the portable path (separate products, per-element epilogue): both compute the
/// same integers and combine them with the same f32 operations, so they agree bit for bit, on
/// ragged rows (not a multiple of 4), ragged columns (not a multiple of 16 or 64) and ragged k.
#[test]
#[cfg_attr(
    not(mtcheck_cpu = "avx512vnni"),
    ignore = "this CPU lacks AVX-512 VNNI"
)]
fn fused_vnni512_linear_is_bit_identical_to_the_portable_path() {
    require(Kernel::Vnni512);
    let mut rng = Rng(7);
    for &(m, k, n) in &[
        (1usize, 384usize, 1152usize),
        (7, 61, 65),
        (13, 130, 17),
        (66, 1536, 384),
    ] {
        let w: Vec<f32> = (0..n * k).map(|_| rng.f32() * 0.1).collect();
        let b: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
        let x: Vec<f32> = (0..m * k)
            .map(|i| rng.f32() * if i % 41 == 0 { 9.0 } else { 1.0 })
            .collect();
        let run = |kernel| {
            let mut out = vec![f32::NAN; m * n];
            Q8Linear::new(&w, Some(&b), n, k, kernel).forward_slice(&x, &mut out);
            out
        };
        let (fused, portable) = (run(Kernel::Vnni512), run(Kernel::Scalar));
        assert!(
            fused.iter().all(|v| v.is_finite()),
            "m={m} k={k} n={n}: an output was not written"
        );
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&fused), bits(&portable), "m={m} k={k} n={n}");
        // AVX-VNNI takes the same 8-bit codes through the portable epilogue.
        if Kernel::AvxVnni.available() {
            assert_eq!(
                bits(&run(Kernel::AvxVnni)),
                bits(&portable),
                "avxvnni m={m} k={k} n={n}"
            );
        }
    }
}
