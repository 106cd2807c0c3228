#!/bin/sh
# Two builds' cost on whole checks, measured in one run: alternating runs of `check` on the example
# article and of `batch` on 20 pairs of a generated article set (every eighth), 2 threads.
# Usage: scripts/compare-cost.sh SETDIR OLD NEW [RUNS]   (SETDIR: devset/generate.py)
# OLD and NEW are commands: a binary, with flags if need be ("target/release/mtcheck --no-qe").
# Prints one line per run: what, old|new, seconds. Run it on an otherwise idle machine.
set -eu
set_dir=$1
old=$2
new=$3
runs=${4:-5}
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
  for which in old new; do
    if [ "$which" = old ]; then bin=$old; else bin=$new; fi
    s=$(date +%s.%N)
    # shellcheck disable=SC2086 # a command with its flags
    $bin check examples/news.ar.txt examples/news.en.txt --threads 2 --fail-on never >/dev/null
    e=$(date +%s.%N)
    echo "article $which $(awk "BEGIN { print $e - $s }")"
    s=$(date +%s.%N)
    # shellcheck disable=SC2086
    $bin batch "$work/pairs.jsonl" --root "$root" --threads 2 --fail-on never \
      -o "$work/out-$which.jsonl" >/dev/null
    e=$(date +%s.%N)
    echo "batch $which $(awk "BEGIN { print $e - $s }")"
  done
  i=$((i + 1))
done
