#!/usr/bin/env bash
# Runs each fuzz target briefly (default 20 s, FUZZ_SECONDS to change) over its committed corpus,
# as a smoke test that the targets build and find nothing quickly. Fails when a nightly toolchain or
# cargo-fuzz is missing: a fuzz run that silently does nothing is no test. .ci/run installs
# cargo-fuzz (`cargo install --locked cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-20}"
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz/smoke.sh: no nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz/smoke.sh: cargo-fuzz is not installed (cargo install --locked cargo-fuzz)" >&2
    exit 1
fi
for target in segment formats extractors align; do
    echo "== $target (${seconds}s)"
    # The run writes new inputs to a scratch copy, so the committed corpus stays as it is.
    scratch="$(mktemp -d)"
    cp -r "corpus/$target/." "$scratch/"
    cargo +nightly fuzz run -s none -a "$target" "$scratch" -- \
        -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10
    rm -rf "$scratch"
done
echo "fuzz/smoke.sh: all targets ran ${seconds}s without a crash"
