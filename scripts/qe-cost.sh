#!/bin/sh
# The learned estimate's cost on whole checks: alternating runs of `check` on the example article
# and of `batch` on 20 pairs of a generated article set, with and without --no-qe, 2 threads.
# Usage: scripts/qe-cost.sh SETDIR [MTCHECK] [RUNS]   (SETDIR from devset/generate.py)
# Prints one line per run: what, qe|noqe, seconds. Run it on an otherwise idle machine.
set -eu
set_dir=$1
bin=${2:-target/release/mtcheck}
runs=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$set_dir" "$work/pairs.jsonl" <<'PY'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
pairs = sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "source.txt")))
with open(out, "w") as f:
    for d in pairs[::8][:20]:
        s, t = d.split("-")[:2]
        f.write(json.dumps({"source": os.path.join(root, d, "source.txt"),
                            "target": os.path.join(root, d, "target.txt"),
                            "src_lang": s, "tgt_lang": t, "id": d}) + "\n")
PY
root=$(cd "$set_dir" && pwd)
i=0
while [ "$i" -lt "$runs" ]; do
  for mode in qe noqe; do
    flag=""
    [ "$mode" = noqe ] && flag="--no-qe"
    s=$(date +%s.%N)
    "$bin" check examples/news.ar.txt examples/news.en.txt --threads 2 --fail-on never $flag >/dev/null
    e=$(date +%s.%N)
    echo "article $mode $(awk "BEGIN { print $e - $s }")"
    s=$(date +%s.%N)
    "$bin" batch "$work/pairs.jsonl" --root "$root" --threads 2 --fail-on never $flag \
      -o "$work/out.jsonl" >/dev/null
    e=$(date +%s.%N)
    echo "batch $mode $(awk "BEGIN { print $e - $s }")"
  done
  i=$((i + 1))
done
