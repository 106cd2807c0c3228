#!/usr/bin/env python3
"""Segment files for `mtcheck eval` from public quality-estimation data.

Usage: qe_data.py MLQE_PE_CLONE OUTDIR

MLQE_PE_CLONE is a clone of https://github.com/sheffieldnlp/mlqe-pe (CC0). From its WMT21
critical-error data (`data/catastrophic_errors/*_majority_{train,dev}.tsv`; en-cs, en-de,
en-ja, en-zh; Wikipedia comments machine-translated, each segment judged by three raters) it
writes OUTDIR/wmt21-ced-<pair>-<split>.tsv with the columns id, source, target, label (BAD when
the raters' majority found a critical error, else OK). The test splits are never read.
Standard library only; deterministic.
"""
import os
import sys

PAIRS = ["en-cs", "en-de", "en-ja", "en-zh"]
SPLITS = ["train", "dev"]


def clean(cell):
    # A tab or newline inside a cell would break the TSV row.
    return " ".join(cell.split())


def main(clone, out):
    os.makedirs(out, exist_ok=True)
    for pair in PAIRS:
        for split in SPLITS:
            name = pair.replace("-", "") + f"_majority_{split}.tsv"
            path = os.path.join(clone, "data", "catastrophic_errors", name)
            rows = []
            with open(path, encoding="utf-8") as f:
                for line in f:
                    cells = line.rstrip("\n").split("\t")
                    if len(cells) < 5:
                        continue
                    seg_id, src, tgt, label = cells[0], cells[1], cells[2], cells[-1]
                    if label not in ("ERR", "NOT") or not src.strip() or not tgt.strip():
                        continue
                    rows.append((seg_id, clean(src), clean(tgt), "BAD" if label == "ERR" else "OK"))
            dest = os.path.join(out, f"wmt21-ced-{pair}-{split}.tsv")
            with open(dest + ".tmp", "w", encoding="utf-8") as f:
                f.write("id\tsource\ttarget\tlabel\n")
                for r in rows:
                    f.write("\t".join(r) + "\n")
            os.replace(dest + ".tmp", dest)
            bad = sum(r[3] == "BAD" for r in rows)
            print(f"{dest}: {len(rows)} segments, {bad} BAD")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
