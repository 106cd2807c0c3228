#!/usr/bin/env python3
"""How replaced sentences (the dev set's `mistranslation` errors: a target sentence swapped for
another sentence of the same document) are reported: as one `mistranslation` error naming both
sentences, as an omission plus an addition, or not at all.

Usage: mtcheck eval SETDIR --reports REPORTDIR && python3 devset/replaced.py SETDIR REPORTDIR
"""
import json
import os
import sys


def norm(s):
    return " ".join((s or "").split()).lower()


def overlaps(a, b):
    a, b = norm(a), norm(b)
    return bool(a) and bool(b) and (a in b or b in a)


def main(setdir, reportdir):
    counts = {"one_error": 0, "one_warning": 0, "omission_addition": 0, "other": 0, "missed": 0}
    clean_errors = clean_sentences = 0
    for name in sorted(os.listdir(setdir)):
        labels_path = os.path.join(setdir, name, "labels.json")
        report_path = os.path.join(reportdir, name + ".json")
        if not os.path.isfile(labels_path) or not os.path.isfile(report_path):
            continue
        labels = json.load(open(labels_path))
        report = json.load(open(report_path))
        findings = report["findings"]
        if not labels["errors"]:
            clean_errors += sum(f["severity"] == "error" for f in findings)
            clean_sentences += report["target"]["sentences"]
        for err in labels["errors"]:
            if err["type"] != "mistranslation":
                continue
            src = [f for f in findings if overlaps(err.get("source_text"), f["source_text"])]
            tgt = [f for f in findings if overlaps(err.get("target_text"), f["target_text"])]
            both = [f for f in src if f in tgt and f["kind"] == "mistranslation"]
            if any(f["severity"] == "error" for f in both):
                counts["one_error"] += 1
            elif both:
                counts["one_warning"] += 1
            elif any(f["kind"] == "omission" for f in src) and any(f["kind"] == "addition" for f in tgt):
                counts["omission_addition"] += 1
            elif src or tgt:
                counts["other"] += 1
            else:
                counts["missed"] += 1
    total = sum(counts.values())
    print(f"replaced sentences: {total}")
    for k, v in counts.items():
        print(f"  {k:<18} {v:>4}  {100.0 * v / max(total, 1):5.1f}%")
    fa = 100.0 * clean_errors / max(clean_sentences, 1)
    print(f"clean pairs: {clean_errors} error findings in {clean_sentences} target sentences ({fa:.2f}/100)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
