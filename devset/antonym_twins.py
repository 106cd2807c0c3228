#!/usr/bin/env python3
"""Antonym twins of a meaning set's clean pairs: for each `NAME-clean` pair of SET (written by
devset/meaning.py; English source), OUT/NAME-clean is a copy and OUT/NAME-ant the same pair with
one or two words of the English source swapped for a WordNet antonym ("increase" -> "decrease",
"required" -> "optional"), labelled `mistranslation` with subtype `antonym` and a snippet of the
changed source. The antonyms are every single-word antonym WordNet lists for adjectives,
adverbs, nouns and verbs, all senses (not only the frequent ones the antonym check knows), so
recall also counts pairs the check cannot know.

With --segments, SET is a segment file (TSV with `source`, `target`, `label`; English targets,
as devset/qe_data.py writes them) and OUT a segment file: each OK row as it is, and its twin with
one word of the target swapped (label BAD, subtype antonym) where it has a word to swap.

usage: devset/antonym_twins.py SET OUT [--seed N] [--per-pair K] [--segments]
Reads /usr/share/wordnet (Debian's wordnet-base). Standard library only; the same input and seed
give the same output."""
import argparse
import csv
import json
import random
import re
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from meaning import write_twin  # noqa: E402
from wordnet import antonym_pointers  # noqa: E402

WORDNET = "/usr/share/wordnet"


def antonyms():
    table = {}
    for pos in ("adj", "adv", "noun", "verb"):
        for a, _, b, _ in antonym_pointers(WORDNET, pos):
            if a.isalpha() and b.isalpha() and len(a) >= 3 and len(b) >= 3:
                table.setdefault(a.lower(), set()).add(b.lower())
    return {k: sorted(v) for k, v in table.items()}


def swap(text, rng, ants, n):
    """`text` with up to n words swapped for an antonym, and snippets (the word and up to three
    words either side, inside its sentence)."""
    lines = text.split("\n")
    spots = [(i, m) for i, line in enumerate(lines) for m in re.finditer(r"[A-Za-z]+", line)
             if m.group(0).lower() in ants and not (m.start() > 0 and m.group(0)[0].isupper())]
    rng.shuffle(spots)
    snippets, used = [], set()
    for i, m in spots:
        if len(snippets) >= n or i in used:
            continue
        used.add(i)
        a = rng.choice(ants[m.group(0).lower()])
        if m.group(0)[0].isupper():
            a = a[0].upper() + a[1:]
        line = lines[i][: m.start()] + a + lines[i][m.end():]
        lines[i] = line
        start, end = m.start(), m.start() + len(a)
        before = re.split(r"(?<=[.!?;:])\s", line[:start])[-1].split(" ")[-4:]
        after = re.split(r"[.!?;:](\s|$)", line[end:])[0].split(" ")[:4]
        snippets.append((" ".join(before) + a + " ".join(after)).strip())
    return "\n".join(lines), snippets


def segments(path, out, rng, ants):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    made = 0
    with open(out, "w") as f:
        f.write("id\tsource\ttarget\tlabel\tsubtype\n")
        for n, r in enumerate(rows):
            if r["label"] != "OK":
                continue
            key = r.get("id") or str(n)
            f.write(f"{key}\t{r['source']}\t{r['target']}\tOK\t\n")
            swapped, snippets = swap(r["target"], rng, ants, 1)
            if snippets:
                f.write(f"{key}-ant\t{r['source']}\t{swapped}\tBAD\tantonym\n")
                made += 1
    print(f"{made} segments with an antonym and their twins in {out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-pair", type=int, default=2)
    ap.add_argument("--segments", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    ants = antonyms()
    if a.segments:
        segments(a.set, a.out, rng, ants)
        return
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    made = 0
    for d in sorted(Path(a.set).glob("*-clean")):
        labels = json.loads((d / "labels.json").read_text())
        if labels["src_lang"] != "en":
            continue
        swapped, snippets = swap((d / "source.txt").read_text(), rng, ants, a.per_pair)
        if not snippets:
            continue
        shutil.copytree(d, out / d.name, dirs_exist_ok=True)
        write_twin(out / (d.name[: -len("-clean")] + "-ant"), swapped,
                   (d / "target.txt").read_text(), labels, [
                       {"type": "mistranslation", "subtype": "antonym", "source_text": s}
                       for s in snippets])
        made += 1
    print(f"{made} pairs with antonyms and their clean twins in {out}")


if __name__ == "__main__":
    main()
