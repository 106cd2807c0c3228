#!/usr/bin/env bash
# Run mtcheck over every pair of a dev set (sequentially) and score the reports.
# Usage: devset/run_eval.sh SETDIR [MTCHECK_BIN] [REPORTDIR]
#   MTCHECK_BIN defaults to $MTCHECK, then target/release/mtcheck, then `mtcheck` on PATH.
#   REPORTDIR defaults to SETDIR-reports; metrics JSON is written to REPORTDIR/_scores.json.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SETDIR="${1:?usage: run_eval.sh SETDIR [MTCHECK_BIN] [REPORTDIR]}"
SETDIR="${SETDIR%/}"
BIN="${2:-${MTCHECK:-}}"
if [ -z "$BIN" ]; then
  if [ -x "$HERE/../target/release/mtcheck" ]; then BIN="$HERE/../target/release/mtcheck"; else BIN="mtcheck"; fi
fi
REPORTDIR="${3:-${SETDIR}-reports}"
mkdir -p "$REPORTDIR"
n=0; failed=0
for d in "$SETDIR"/*/; do
  d="${d%/}"; name="$(basename "$d")"
  [ -f "$d/labels.json" ] || continue
  read -r sl tl < <(python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); print(l["src_lang"], l["tgt_lang"])' "$d/labels.json")
  # mtcheck may exit non-zero when its verdict is "fail"; the JSON on stdout is what counts.
  "$BIN" check "$d/source.txt" "$d/target.txt" --src-lang "$sl" --tgt-lang "$tl" --format json \
      > "$REPORTDIR/$name.json" 2> "$REPORTDIR/$name.stderr"
  rc=$?
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$REPORTDIR/$name.json" 2>/dev/null; then
    echo "warning: $name: no valid JSON report (exit $rc), see $REPORTDIR/$name.stderr" >&2
    failed=$((failed+1))
  fi
  [ -s "$REPORTDIR/$name.stderr" ] || rm -f "$REPORTDIR/$name.stderr"
  n=$((n+1))
done
echo "ran $BIN on $n pairs ($failed without a valid report); reports in $REPORTDIR"
python3 "$HERE/score.py" "$SETDIR" "$REPORTDIR" --json "$REPORTDIR/_scores.json"
