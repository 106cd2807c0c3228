#!/usr/bin/env python3
"""Segment files for `mtcheck eval` from public quality-estimation data.

Usage: qe_data.py MLQE_PE_CLONE OUTDIR [--wmt22 WMT22_CLONE]

MLQE_PE_CLONE is a clone of https://github.com/sheffieldnlp/mlqe-pe (CC0). From its WMT21
critical-error data (`data/catastrophic_errors/*_majority_{train,dev}.tsv`; en-cs, en-de,
en-ja, en-zh; Wikipedia comments machine-translated, each segment judged by three raters) it
writes OUTDIR/wmt21-ced-<pair>-<split>.tsv with the columns id, source, target, label (BAD when
the raters' majority found a critical error, else OK). From its direct assessments
(`data/direct-assessments/dev/<pair>-dev.tar.gz`, the seven MLQE-PE pairs) it writes
OUTDIR/mlqe-da-<pair>-dev.tsv with source, target and the raters' mean z-score as `label` (a score:
`mtcheck eval --bad-below`). The test splits are never read.

With --wmt22 WMT22_CLONE (a clone of https://github.com/WMT-QE-Task/wmt-qe-2022-data, which
states no licence: validation only, never fitting) it also writes the task 3 (critical error
detection) dev sets, en-de and pt-en, as OUTDIR/wmt22-ced-<pair>-dev-NN.tsv: source, target,
label, 1,000 rows a file (a file is checked as one document). Its test data is never read.
Standard library only; deterministic.
"""
import io
import os
import subprocess
import sys
import tarfile

PAIRS = ["en-cs", "en-de", "en-ja", "en-zh"]
DA_PAIRS = ["en-de", "en-zh", "et-en", "ne-en", "ro-en", "ru-en", "si-en"]
SPLITS = ["train", "dev"]


def clean(cell):
    # A tab or newline inside a cell would break the TSV row.
    return " ".join(cell.split())


def read_blob(clone, path):
    """A file of a clone, bare or not."""
    blob = subprocess.run(["git", "-C", clone, "show", f"HEAD:{path}"],
                          capture_output=True, check=False).stdout
    return blob or open(os.path.join(clone, path), "rb").read()


def write_tsv(dest, header, rows):
    with open(dest + ".tmp", "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    os.replace(dest + ".tmp", dest)


def direct_assessments(clone, out):
    for pair in DA_PAIRS:
        blob = read_blob(clone, f"data/direct-assessments/dev/{pair}-dev.tar.gz")
        rows = []
        with tarfile.open(fileobj=io.BytesIO(blob)) as t:
            for m in t.getmembers():
                if m.isfile() and m.name.endswith(".df.short.tsv"):
                    text = t.extractfile(m).read().decode("utf-8")
                    lines = text.split("\n")
                    head = lines[0].split("\t")
                    at = {name: k for k, name in enumerate(head)}
                    for line in lines[1:]:
                        cells = line.split("\t")
                        if len(cells) < len(head):
                            continue
                        src, tgt = clean(cells[at["original"]]), clean(cells[at["translation"]])
                        if src and tgt:
                            rows.append((src, tgt, f"{float(cells[at['z_mean']]):.4f}"))
        dest = os.path.join(out, f"mlqe-da-{pair}-dev.tsv")
        write_tsv(dest, ["source", "target", "label"], rows)
        print(f"{dest}: {len(rows)} segments")


def wmt22(clone, out):
    for pair in ["en-de", "pt-en"]:
        path = f"train-dev_data/task3_ced/dev/{pair}/{pair}-dev.tar.gz"
        blob = read_blob(clone, path)
        files = {}
        with tarfile.open(fileobj=io.BytesIO(blob)) as t:
            for m in t.getmembers():
                name = m.name.split("/")[-1]
                if m.isfile() and name in ("dev.src", "dev.mt", "dev.label"):
                    files[name] = t.extractfile(m).read().decode("utf-8").split("\n")
        rows = [
            (clean(s), clean(t), l.strip())
            for s, t, l in zip(files["dev.src"], files["dev.mt"], files["dev.label"])
            if s.strip() and t.strip() and l.strip() in ("OK", "BAD")
        ]
        for k in range(0, len(rows), 1000):
            dest = os.path.join(out, f"wmt22-ced-{pair}-dev-{k // 1000:02d}.tsv")
            write_tsv(dest, ["source", "target", "label"], rows[k:k + 1000])
        print(f"{pair}: {len(rows)} segments, {sum(r[2] == 'BAD' for r in rows)} BAD")


def main(clone, out):
    os.makedirs(out, exist_ok=True)
    for pair in PAIRS:
        for split in SPLITS:
            name = pair.replace("-", "") + f"_majority_{split}.tsv"
            text = read_blob(clone, f"data/catastrophic_errors/{name}").decode("utf-8")
            rows = []
            for line in text.split("\n"):
                cells = line.split("\t")
                if len(cells) < 5:
                    continue
                seg_id, src, tgt, label = cells[0], cells[1], cells[2], cells[-1]
                if label not in ("ERR", "NOT") or not src.strip() or not tgt.strip():
                    continue
                rows.append((seg_id, clean(src), clean(tgt), "BAD" if label == "ERR" else "OK"))
            dest = os.path.join(out, f"wmt21-ced-{pair}-{split}.tsv")
            write_tsv(dest, ["id", "source", "target", "label"], rows)
            bad = sum(r[3] == "BAD" for r in rows)
            print(f"{dest}: {len(rows)} segments, {bad} BAD")
    direct_assessments(clone, out)


if __name__ == "__main__":
    args = sys.argv[1:]
    extra = None
    if "--wmt22" in args:
        i = args.index("--wmt22")
        if i + 1 >= len(args):
            sys.exit(__doc__)
        extra = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    main(args[0], args[1])
    if extra:
        wmt22(extra, args[1])
