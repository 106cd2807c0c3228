#!/usr/bin/env python3
"""Meaning errors inside aligned sentences, made from the clean pairs of a generated dev set.

For every clean pair whose source is English, writes two pairs to OUT: the clean twin
(NAME-clean, unchanged) and a perturbed one (NAME-neg) whose English source has the polarity of
one or two sentences toggled ("is" -> "is not", "cannot" -> "can", "didn't" -> "did"). Toggling
the source rather than the translation gives the same mismatch between the two sides for every
target language, without a negation grammar per target language. Labels carry
type "mistranslation" and subtype "negation", with a snippet of the changed source text.

    python3 devset/meaning.py SET OUT [--seed N] [--per-pair 2]
    mtcheck eval OUT        # recall by subtype, warnings and errors on the clean twins

Standard library only; the same input and seed give the same output.
"""
import argparse
import json
import random
import re
import shutil
from pathlib import Path

AUX = r"is|are|was|were|can|will|would|should|must|could|has|have|had|does|do|did|may"
ADD = re.compile(r"\b(" + AUX + r")\b(?! not\b)(?!n't)", re.I)
REMOVE = re.compile(r"\b(" + AUX + r") not\b|\b(can)not\b|\b(" + AUX + r")n't\b", re.I)


def snippet(text, start, end):
    """A few words around text[start:end]: short enough to lie inside mtcheck's sentence."""
    left = text[:start].split()[-3:]
    right = text[end:].split()[:3]
    mid = text[start:end]
    return " ".join(left + [mid] + right).strip()


def toggle(text, rng, n):
    """Toggles the polarity of up to n places in different lines; returns (text, snippets)."""
    lines = text.split("\n")
    order = list(range(len(lines)))
    rng.shuffle(order)
    snippets = []
    for k in order:
        if len(snippets) >= n:
            break
        line = lines[k]
        removes = list(REMOVE.finditer(line))
        adds = [m for m in ADD.finditer(line) if m.start() > 0]
        if not removes and not adds:
            continue
        if removes and (not adds or rng.random() < 0.5):
            m = rng.choice(removes)
            word = next(g for g in m.groups() if g)
            new = line[: m.start()] + word + line[m.end():]
            at = m.start()
            span = (at, at + len(word))
        else:
            m = rng.choice(adds)
            word = m.group(1)
            rep = word + "not" if word.lower() == "can" else word + " not"
            new = line[: m.start()] + rep + line[m.end():]
            span = (m.start(), m.start() + len(rep))
        lines[k] = new
        snippets.append(snippet(new, *span))
    return "\n".join(lines), snippets


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-pair", type=int, default=2)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    made = 0
    for d in sorted(Path(a.set).iterdir()):
        lf = d / "labels.json"
        if not lf.is_file():
            continue
        labels = json.loads(lf.read_text())
        if labels.get("errors") or labels["src_lang"] != "en":
            continue
        src = (d / "source.txt").read_text()
        toggled, snippets = toggle(src, rng, a.per_pair)
        if not snippets:
            continue
        shutil.copytree(d, out / f"{d.name}-clean", dirs_exist_ok=True)
        neg = out / f"{d.name}-neg"
        neg.mkdir(exist_ok=True)
        (neg / "source.txt").write_text(toggled)
        shutil.copy(d / "target.txt", neg / "target.txt")
        labels = dict(labels)
        labels["errors"] = [
            {"type": "mistranslation", "subtype": "negation", "source_text": s} for s in snippets
        ]
        labels["verdict"] = "fail"
        (neg / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n")
        made += 1
    print(f"{made} perturbed pairs and their clean twins in {out}")


if __name__ == "__main__":
    main()
