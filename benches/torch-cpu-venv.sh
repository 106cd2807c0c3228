#!/usr/bin/env bash
# Makes a virtual environment with PyTorch and sentence-transformers for CPU runs of
# benches/compare.sh, from PyPI only and without the gigabytes of CUDA libraries PyPI's Linux torch
# wheel depends on:
#   - torch, sentence-transformers: --no-deps; their pure-Python dependencies normally;
#   - the CUDA runtime and CUPTI (a few MB): real, so that torch finds no GPU and says so;
#   - every other CUDA library torch links against (cuBLAS, cuDNN, NCCL, ...): a stand-in with the
#     same soname, symbol versions and function names, each function failing, built here with gcc.
#     Without a GPU torch never calls them; with a GPU this environment is wrong, use plain pip.
#
#   benches/torch-cpu-venv.sh [VENV]     (default: /tmp/mtcheck-torch-venv)
# Then: PYTORCH_PYTHON=VENV/bin/python-cpu benches/compare.sh
set -euo pipefail

venv="${1:-/tmp/mtcheck-torch-venv}"
python3 -m venv "$venv"
pip=("$venv/bin/pip" install --quiet)
"${pip[@]}" --no-deps torch==2.15.0 sentence-transformers==6.2.0 "nvidia-cuda-runtime>=13.0,<13.1" \
    "nvidia-cuda-cupti>=13.0,<13.1"
"${pip[@]}" filelock "typing-extensions>=4.13" sympy networkx jinja2 fsspec "setuptools>=77" \
    "transformers>=5,<6" "tokenizers>=0.19" "huggingface-hub>=1.3,<3" numpy scipy scikit-learn tqdm

site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
real="$site/nvidia/cu13/lib"
stubs="$venv/cuda-stubs"
mkdir -p "$stubs"
"$venv/bin/python" - "$site/torch/lib" "$real" "$stubs" <<'PY'
import glob, os, re, subprocess, sys
torch_lib, real, stubs = sys.argv[1:]
libs = glob.glob(os.path.join(torch_lib, "*.so*"))
present = set(os.listdir(torch_lib)) | set(os.listdir(real) if os.path.isdir(real) else [])
def system_has(soname):
    return soname in subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
needed, versions, undefined = set(), {}, set()
for lib in libs:
    dyn = subprocess.run(["readelf", "-dV", lib], capture_output=True, text=True).stdout
    needed |= set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dyn))
    # Version needs: "File: libcudnn.so.9 ..." followed by "Name: libcudnn.so.9".
    for soname, block in re.findall(r"File: (\S+)\s+Cnt: \d+\n((?:\s+0x\w+:\s+Name: .*\n)+)", dyn):
        versions.setdefault(soname, set()).update(re.findall(r"Name: (\S+)", block))
    nm = subprocess.run(["nm", "-D", "--undefined-only", lib], capture_output=True, text=True).stdout
    undefined |= {line.split()[-1] for line in nm.splitlines() if line.strip()}
# Function-name prefixes of each library family, for symbols without a version tag.
prefix = {"libcublasLt": "cublasLt", "libcublas": "cublas", "libnvrtc": "nvrtc", "libcusparseLt": "cusparseLt",
          "libcusparse": "cusparse", "libcufft": "cufft", "libcufile": "cuFile", "libnccl": "nccl",
          "libcudnn": "cudnn", "libnvshmem_host": "nvshmem", "libcusolver": "cusolver", "libcurand": "curand",
          "libnvJitLink": "nvJitLink", "libcupti": "cupti", "libcuda": "cu"}
for soname in sorted(needed):
    # libcuda.so.1 is the driver: the CUDA runtime opens it itself and, finding none, tells torch
    # there is no GPU; a stand-in would answer instead.
    if soname in present or soname.startswith("libcuda.so") or system_has(soname):
        continue
    family = soname.split(".so")[0]
    vers = versions.get(soname, set())
    names = set()
    for u in undefined:
        name, _, ver = u.partition("@")
        if ver and ver in vers:
            names.add(name)
        elif not ver and family in prefix and name.startswith(prefix[family]) and not (
                family == "libcusparse" and name.startswith("cusparseLt")) and not (
                family == "libcublas" and name.startswith("cublasLt")):
            names.add(name)
    src = os.path.join(stubs, soname + ".c")
    with open(src, "w") as f:
        # Every function fails (CUDA libraries return a non-zero status for errors).
        f.write("".join("int %s(void) { return 100; }\n" % n for n in sorted(names))
                or "void mtcheck_stub(void) {}\n")
    cmd = ["gcc", "-shared", "-fPIC", "-o", os.path.join(stubs, soname), src, "-Wl,-soname," + soname]
    if vers:
        script = os.path.join(stubs, soname + ".map")
        with open(script, "w") as f:
            f.write("".join("%s { global: *; };\n" % v for v in sorted(vers)))
        cmd.append("-Wl,--version-script=" + script)
    subprocess.check_call(cmd)
    print("stand-in %s (%d functions)" % (soname, len(names)))
PY

cat >"$venv/bin/python-cpu" <<EOF
#!/bin/sh
# The venv's python with the CUDA runtime and the stand-ins on the library path.
LD_LIBRARY_PATH="$stubs:$real\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$venv/bin/python" "\$@"
EOF
chmod +x "$venv/bin/python-cpu"
"$venv/bin/python-cpu" -c 'import torch, sentence_transformers as st; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), "sentence-transformers", st.__version__)'
echo "ready: PYTORCH_PYTHON=$venv/bin/python-cpu benches/compare.sh"
