#!/bin/sh
# The learned estimate's cost on whole checks: scripts/compare-cost.sh with the same binary run
# with --no-qe (old) and with the estimate (new), 2 threads.
# Usage: scripts/qe-cost.sh SETDIR [MTCHECK] [RUNS]   (SETDIR from devset/generate.py)
set -eu
bin=${2:-target/release/mtcheck}
exec "$(dirname "$0")/compare-cost.sh" "$1" "$bin --no-qe" "$bin" "${3:-5}"
