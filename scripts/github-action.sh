#!/usr/bin/env bash
# The work of the GitHub Action (action.yml), kept in a script so the test suite can run it
# (scripts/ci-integration-check.sh): build mtcheck unless MTCHECK_BIN names one, fetch the default
# model unless MTCHECK_MODELS_DIR or a --model flag provides one, run `mtcheck batch` over the
# inputs with a SARIF report, and record the exit code as the step output `exit-code`.
#
# Environment (set by action.yml from its inputs):
#   MTCHECK_INPUTS  a manifest, a folder, or translation files (split on spaces; globs expand)
#   MTCHECK_ARGS    more `mtcheck batch` flags (split on spaces)
#   MTCHECK_SARIF   the SARIF file to write (default mtcheck.sarif)
#   MTCHECK_JSONL   the per-pair JSON lines to write (default mtcheck.jsonl)
#   GITHUB_OUTPUT   where step outputs go (GitHub sets it)
set -euo pipefail
action="$(cd "$(dirname "$0")/.." && pwd)"
sarif="${MTCHECK_SARIF:-mtcheck.sarif}"
jsonl="${MTCHECK_JSONL:-mtcheck.jsonl}"
if [[ -z "${MTCHECK_INPUTS:-}" ]]; then
    echo "mtcheck action: the 'inputs' input is empty: name a manifest, a folder or translation files" >&2
    exit 2
fi

bin="${MTCHECK_BIN:-}"
if [[ -z "$bin" ]]; then
    bin="${CARGO_TARGET_DIR:-$action/target}/release/mtcheck"
    if [[ ! -x "$bin" ]]; then
        echo "::group::Build mtcheck"
        cargo build --release --locked --manifest-path "$action/Cargo.toml"
        echo "::endgroup::"
    fi
fi

if [[ -z "${MTCHECK_MODELS_DIR:-}" && " ${MTCHECK_ARGS:-} " != *" --model "* ]]; then
    echo "::group::Fetch the default model"
    MTCHECK_BIN="$bin" "$action/models/fetch"
    echo "::endgroup::"
fi

# Word splitting of the inputs and flags is wanted here (several files, several flags).
# shellcheck disable=SC2086
set +e
"$bin" batch $MTCHECK_INPUTS --report "$sarif" --format sarif -o "$jsonl" ${MTCHECK_ARGS:-}
code=$?
set -e
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    echo "exit-code=$code" >> "$GITHUB_OUTPUT"
fi
exit 0
