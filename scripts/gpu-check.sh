#!/usr/bin/env bash
# GPU check for a carried mtcheck binary built with `--features cuda` (no network, no Rust needed):
#   1. CPU f32 vectors of the first SAMPLE corpus lines, the reference;
#   2. per dtype, `mtcheck bench --device cuda` over the whole corpus (speed), then over the sample
#      with --reference-embeddings: every row's cosine to CPU f32 must be >= MIN_COSINE and no
#      value NaN or infinite;
#   3. a table; exit 0 when every dtype passes, 1 when one fails, 2 when something could not run.
#
#   scripts/gpu-check.sh [CORPUS]          (default: ../shared/bench/corpus-10k.txt)
#
# Environment (defaults in brackets):
#   MTCHECK_BIN   binary [target-cuda/release/mtcheck, else target/release/mtcheck]
#   MTCHECK_MODEL model directory [models/multilingual-e5-small]
#   DEVICE        cuda | cpu [cuda]; DEVICE=cpu runs the same steps on CPU to test this script
#   DTYPES        [f32 f16 bf16]     LINES  lines for the speed runs [all]
#   RUNS          timed speed passes [3]        SAMPLE  lines compared with CPU f32 [1000]
#   MIN_COSINE    [0.999]            TOKEN_BUDGET  padded tokens per batch [the binary's default]
#   OUT           where the JSON reports and vectors go [a new temporary directory]
#   CUDA_LIBS     a directory with libcublas, libcublasLt, libcurand, libnvrtc, libcudart (13.x),
#                 prepended to LD_LIBRARY_PATH [python3's nvidia/cu13/lib when ldconfig lacks them]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$root/../shared/bench/corpus-10k.txt}"
model="${MTCHECK_MODEL:-$root/models/multilingual-e5-small}"
device="${DEVICE:-cuda}"
dtypes="${DTYPES:-f32 f16 bf16}"
runs="${RUNS:-3}"
sample="${SAMPLE:-1000}"
min_cos="${MIN_COSINE:-0.999}"
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"
# Without a system CUDA 13, the libraries of an installed PyTorch's nvidia-* wheels do (the GPU
# machines' image has them beside its torch).
if [[ -z "${CUDA_LIBS:-}" ]] && ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libcublasLt\.so\.13'; then
    for site in $(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null); do
        if [[ -f "$site/nvidia/cu13/lib/libcublasLt.so.13" ]]; then
            CUDA_LIBS="$site/nvidia/cu13/lib"
            break
        fi
    done
fi
if [[ -n "${CUDA_LIBS:-}" ]]; then
    export LD_LIBRARY_PATH="$CUDA_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
bin="${MTCHECK_BIN:-}"
if [[ -z "$bin" ]]; then
    bin="$root/target-cuda/release/mtcheck"
    [[ -x "$bin" ]] || bin="$root/target/release/mtcheck"
fi
for need in "$bin" "$corpus" "$model/model.safetensors"; do
    [[ -e "$need" ]] || { echo "gpu-check: $need is missing" >&2; exit 2; }
done
lines="${LINES:-$(grep -c '[^[:space:]]' "$corpus")}"
budget=()
[[ -n "${TOKEN_BUDGET:-}" ]] && budget=(--token-budget "$TOKEN_BUDGET")

# Top-level numbers of a pretty-printed bench report; nested ones are indented deeper, so no JSON
# tool is needed on a bare machine.
field() { sed -n "s/^$2\"$1\": \([^,]*\),\{0,1\}$/\1/p" "$3" | head -n 1; }
# FIELD INDENT FILE DIGITS: the number rounded, or "-" when absent.
num() { awk -v v="$(field "$1" "$2" "$3")" -v d="$4" 'BEGIN { if (v == "" || v == "null") print "-"; else printf("%." d "f\n", v) }'; }

echo "gpu-check: $bin, device $device, $lines lines of $corpus, sample $sample, reports in $out"
"$bin" bench --model "$model" --file "$corpus" --device cpu --dtype f32 --lines "$sample" \
    --runs 1 --format json --dump-embeddings "$out/reference-cpu-f32.bin" >"$out/reference.json"

status=0
rows=()
for dtype in $dtypes; do
    speed="$out/speed-$device-$dtype.json"
    check="$out/check-$device-$dtype.json"
    if ! "$bin" bench --model "$model" --file "$corpus" --device "$device" --dtype "$dtype" \
        --lines "$lines" --runs "$runs" --format json "${budget[@]}" >"$speed" 2>"$speed.err"; then
        echo "gpu-check: $dtype speed run failed: $(tail -n 1 "$speed.err")" >&2
        rows+=("$(printf '%-6s %s' "$dtype" "ERROR $(tail -n 1 "$speed.err")")")
        status=2
        continue
    fi
    verdict=ok
    "$bin" bench --model "$model" --file "$corpus" --device "$device" --dtype "$dtype" \
        --lines "$sample" --runs 1 --format json "${budget[@]}" \
        --reference-embeddings "$out/reference-cpu-f32.bin" --min-cosine "$min_cos" \
        --dump-embeddings "$out/$device-$dtype.bin" >"$check" 2>"$check.err" || {
        code=$?
        verdict=$([[ $code == 1 ]] && echo FAIL || echo "ERROR $(tail -n 1 "$check.err")")
        [[ $code == 1 && $status == 0 ]] && status=1
        [[ $code != 1 ]] && status=2
    }
    rows+=("$(printf '%-6s %12s %12s %8s %9s %10s %10s %6s  %s' "$dtype" \
        "$(num sentences_per_s '  ' "$speed" 1)" "$(num tokens_per_s '  ' "$speed" 0)" \
        "$(num load_s '  ' "$speed" 2)" "$(num token_budget '  ' "$speed" 0)" \
        "$(num min_cosine '    ' "$check" 6)" "$(num mean_cosine '    ' "$check" 6)" \
        "$(num nonfinite_values '  ' "$check" 0)" "$verdict")")
done

echo
echo "device $device, $lines lines, best of $runs passes; cosine to CPU f32 over $sample lines"
printf '%-6s %12s %12s %8s %9s %10s %10s %6s  %s\n' dtype sentences/s tokens/s load_s budget \
    min_cos mean_cos nan verdict
printf '%s\n' "${rows[@]}"
exit "$status"
