#!/usr/bin/env bash
# Writes every report mtcheck produces on the committed examples and the development sample into
# OUTDIR, with timings removed, so that a refactor can prove its reports unchanged:
#   scripts/report-snapshot.sh OLD_BINARY /tmp/before
#   scripts/report-snapshot.sh target/release/mtcheck /tmp/after
#   diff -r /tmp/before /tmp/after
set -uo pipefail
BIN="${1:?usage: report-snapshot.sh MTCHECK_BINARY OUTDIR}"
OUT="${2:?usage: report-snapshot.sh MTCHECK_BINARY OUTDIR}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"
mkdir -p "$OUT"
# Timings, and throughput derived from them, are the only values allowed to differ.
untime() {
    python3 -c '
import json, re, sys
text = sys.stdin.read()
def scrub(v):
    if isinstance(v, dict):
        return {k: (None if k in ("timing", "wall_s", "seconds", "sentences_per_s") else scrub(x))
                for k, x in v.items()}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    return v
out = []
for line in text.splitlines(keepends=True):
    try:
        out.append(json.dumps(scrub(json.loads(line)), ensure_ascii=False, indent=1) + "\n")
        continue
    except ValueError:
        pass
    out.append(line)
text = "".join(out)
try:
    text = json.dumps(scrub(json.loads(text)), ensure_ascii=False, indent=1) + "\n"
except ValueError:
    pass
text = re.sub(r"[0-9.]+ ?(s|ms|sentences/s|sent/s)\b", "<time>", text)
text = re.sub(r"time=\"[0-9.]+\"", "time=\"<time>\"", text)
# eval tables end each row with throughput (sent/s)
if "sent/s" in text:
    text = re.sub(r"(?m)^(.*\S)\s+[0-9.]+$", r"\1 <rate>", text)
sys.stdout.write(text)
'
}
run() { # name, args...
    local name="$1"; shift
    "$BIN" "$@" --no-cache > "$OUT/$name.raw" 2> "$OUT/$name.stderr"
    echo "exit $?" > "$OUT/$name.exit"
    untime < "$OUT/$name.raw" > "$OUT/$name"; rm -f "$OUT/$name.raw"
    untime < "$OUT/$name.stderr" > "$OUT/$name.err"; rm -f "$OUT/$name.stderr"
    [ -s "$OUT/$name.err" ] || rm -f "$OUT/$name.err"
}
for fmt in json text sarif junit github markdown html; do
    run "news.$fmt" check examples/news.ar.txt examples/news.en.txt --format "$fmt" --color never
    run "clean.$fmt" check examples/clean.de.txt examples/clean.en.txt --format "$fmt" --color never
done
for fmt in json text sarif; do
    run "po.$fmt" check examples/app.de.po --format "$fmt" --color never
done
for d in devset/sample/*/; do
    d="${d%/}"; name="$(basename "$d")"
    read -r sl tl < <(python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); print(l["src_lang"], l["tgt_lang"])' "$d/labels.json")
    run "sample.$name.json" check "$d/source.txt" "$d/target.txt" --src-lang "$sl" --tgt-lang "$tl" --format json
done
run eval.text eval devset/sample
run eval.json eval devset/sample --format json
printf '{"source": "news.ar.txt", "target": "news.en.txt"}\n{"source": "clean.de.txt", "target": "clean.en.txt"}\n{"source": "app.de.po"}\n' > examples/.snapshot-manifest.jsonl
run batch.jsonl batch examples/.snapshot-manifest.jsonl --jobs 1
rm -f examples/.snapshot-manifest.jsonl
echo "snapshot of $BIN in $OUT: $(ls "$OUT" | wc -l) files"
