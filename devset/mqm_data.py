#!/usr/bin/env python3
"""Segment files for `mtcheck eval` from Google's MQM ratings of real machine translation.

Usage: mqm_data.py MQM_CLONE OUTDIR

MQM_CLONE is a clone of https://github.com/google/wmt-mqm-human-evaluation (Apache-2.0). From
each ratings file that carries the texts (`ted/{ende,zhen}/mqm_ted_*.tsv`: TED talks translated
by the WMT21 systems and two human references, each segment rated by one professional rater, one
row per error span, `No-error` rows for clean segments) it writes, per language pair and system,
OUTDIR/mqm-ted-<pair>-<system>.tsv with the columns source, target, label, doc, seg_id, in talk
order (a file is checked as one document, as the talks are), where label is

- BAD: the rater marked at least one Major error of meaning (Accuracy: mistranslation, omission,
  addition, untranslated text; or Terminology: a wrong term), what "badly wrong" means here;
- OK: the rater marked no Major error of any kind (minor slips allowed);

and segments whose only Major errors are of fluency or style are left out: neither side of the
question "is the meaning wrong". OUTDIR/mqm-ted-<pair>-<system>.scores.tsv has every segment with
its MQM score as label (minus the Google weights: Major 5, Minor 1, minor punctuation 0.1,
non-translation 25; higher is better), for `mtcheck eval --bad-below -4.9`.

The files' `ref*` systems are human translations: their OK rows count false alarms on good
human work. The WMT23 ratings (generalMT2023) are never read. Standard library only;
deterministic.
"""
import collections
import csv
import io
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qe_data import clean, read_blob, write_tsv  # noqa: E402

FILES = {"en-de": "ted/ende/mqm_ted_ende.tsv", "zh-en": "ted/zhen/mqm_ted_zhen.tsv"}
MEANING = ("Accuracy/", "Terminology/")
SPAN = re.compile(r"</?v>")


def penalty(severity, category):
    if category.startswith("Non-translation"):
        return 25.0
    if severity == "Major":
        return 5.0
    if severity == "Minor":
        return 0.1 if category == "Fluency/Punctuation" else 1.0
    return 0.0


def segments(text):
    """(system, doc, seg_id) -> (source, target, [(severity, category)]) in file order."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    segs = collections.OrderedDict()
    for r in reader:
        key = (r["system"], r["doc"], int(r["seg_id"]))
        src, tgt = clean(SPAN.sub("", r["source"])), clean(SPAN.sub("", r["target"]))
        entry = segs.setdefault(key, (src, tgt, []))
        if r["severity"] in ("Major", "Minor"):
            entry[2].append((r["severity"], r["category"]))
    return segs


def label(errors):
    majors = [c for s, c in errors if s == "Major" and c != "Source error"]
    if any(c.startswith(MEANING) for c in majors):
        return "BAD"
    return None if majors else "OK"


def main(clone, out):
    os.makedirs(out, exist_ok=True)
    for pair, path in FILES.items():
        segs = segments(read_blob(clone, path).decode("utf-8"))
        by_system = collections.defaultdict(list)
        for (system, doc, seg_id), value in segs.items():
            by_system[system].append((doc, seg_id, value))
        for system, rows in sorted(by_system.items()):
            rows.sort(key=lambda r: r[1])
            labelled, scored = [], []
            for doc, seg_id, (src, tgt, errors) in rows:
                if not src or not tgt:
                    continue
                score = -sum(penalty(s, c) for s, c in errors)
                scored.append((src, tgt, f"{score:g}", doc, str(seg_id)))
                lab = label(errors)
                if lab:
                    labelled.append((src, tgt, lab, doc, str(seg_id)))
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", system)
            header = ["source", "target", "label", "doc", "seg_id"]
            write_tsv(os.path.join(out, f"mqm-ted-{pair}-{name}.tsv"), header, labelled)
            write_tsv(os.path.join(out, f"mqm-ted-{pair}-{name}.scores.tsv"), header, scored)
            bad = sum(r[2] == "BAD" for r in labelled)
            print(f"{pair} {system}: {len(labelled)} labelled ({bad} BAD), {len(scored)} scored")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
