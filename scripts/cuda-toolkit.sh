#!/usr/bin/env bash
# Installs what `cargo build --features cuda` needs, from PyPI into a virtual environment, on a
# machine without a GPU, a driver or a system CUDA toolkit:
#   - nvcc 13.0 with its front end (nvvm) and headers, for candle-kernels' PTX and static kernels;
#   - cuBLAS, cuBLASLt, cuRAND, NVRTC and the CUDA runtime, which cudarc links against;
#   - unversioned lib*.so names for the linker, and a stand-in libcuda.so (soname libcuda.so.1)
#     with the driver functions cudarc declares, each returning CUDA_ERROR_NO_DEVICE (100): the
#     real one comes with the driver of the GPU machine, which the binary finds at run time. With
#     the stand-in on LD_LIBRARY_PATH (as libcuda.so.1) the CUDA binary runs on CPU here too.
# Then writes VENV/env.sh with CUDA_ROOT, CUDA_PATH, CUDA_HOME, NVCC, PATH and CUDA_COMPUTE_CAP.
#
#   scripts/cuda-toolkit.sh [VENV]        (default: /tmp/cuda-venv; ~1.3 GB)
#   . VENV/env.sh && CARGO_TARGET_DIR=target-cuda cargo build --release --locked --features cuda
#
# CUDA_COMPUTE_CAP defaults to 90 (H100/H200); set it before sourcing env.sh for another GPU.
# The versions match a CUDA 13.0 driver; a newer driver runs them too.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-/tmp/cuda-venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet nvidia-cuda-nvcc==13.0.88 nvidia-cuda-runtime==13.0.88 \
    nvidia-nvvm==13.0.88 "nvidia-cuda-crt>=13.0,<13.1" "nvidia-cuda-cccl>=13.0,<13.1" \
    "nvidia-cuda-nvrtc>=13.0,<13.1" "nvidia-cublas>=13.0,<13.1" "nvidia-curand>=10.4,<10.5"
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cuda="$site/nvidia/cu13"
"$cuda/bin/nvcc" --version | tail -n 2

for lib in cublas cublasLt curand nvrtc cudart; do
    real="$(cd "$cuda/lib" && ls "lib$lib.so."* | head -n 1)"
    ln -sf "$real" "$cuda/lib/lib$lib.so"
done

# The driver functions cudarc's bindings call, from the cudarc source cargo fetched.
(cd "$root" && cargo fetch --locked --quiet)
sys_rs="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*/cudarc-0.19.*/src/driver/sys/mod.rs' | head -n 1)"
[[ -n "$sys_rs" ]] || { echo "cuda-toolkit: cudarc 0.19 source not found" >&2; exit 1; }
stub="$venv/libcuda-stub"
mkdir -p "$stub"
grep -hoE '^ +fn cu[A-Za-z0-9_]+\(' "$sys_rs" | sed -E 's/ *fn //; s/\(//' | sort -u |
    awk '{ print "int " $1 "(void) { return 100; }" }' >"$stub/libcuda.c"
gcc -shared -fPIC -o "$stub/libcuda.so" -Wl,-soname,libcuda.so.1 "$stub/libcuda.c"
ln -sf "$stub/libcuda.so" "$cuda/lib/libcuda.so"

cat >"$venv/env.sh" <<EOF
# Source this before: CARGO_TARGET_DIR=target-cuda cargo build --release --locked --features cuda
export CUDA_ROOT="$cuda" CUDA_PATH="$cuda" CUDA_HOME="$cuda" NVCC="$cuda/bin/nvcc"
export PATH="$cuda/bin:\$PATH" CUDA_COMPUTE_CAP="\${CUDA_COMPUTE_CAP:-90}"
EOF
echo "cuda-toolkit: ready; . $venv/env.sh"
