//! Build-time facts for the tests: which of mtcheck's kernel instruction sets the build machine's
//! CPU has. A kernel test for a set the CPU lacks is then compiled as `#[ignore]` with the reason,
//! so `cargo test` lists it as ignored instead of passing it without running it. (The product
//! itself chooses kernels at run time and does not use these.)

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!(
        "cargo::rustc-check-cfg=cfg(mtcheck_cpu, values(\"avx512f\", \"avx512vnni\", \"avxvnni\", \"avx2\", \"avx2fma\"))"
    );
    // Only meaningful when the tests run where they are built.
    if std::env::var("HOST").ok() != std::env::var("TARGET").ok() {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        let has = |f: &str| match f {
            "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
            "avx512vnni" => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512vnni")
            }
            "avxvnni" => std::arch::is_x86_feature_detected!("avxvnni"),
            "avx2" => std::arch::is_x86_feature_detected!("avx2"),
            "avx2fma" => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            _ => false,
        };
        for f in ["avx512f", "avx512vnni", "avxvnni", "avx2", "avx2fma"] {
            if has(f) {
                println!("cargo::rustc-cfg=mtcheck_cpu=\"{f}\"");
            }
        }
    }
}
