#!/usr/bin/env python3
"""Labelled segment files with critical errors made by hand-written rules, from post-edited
translations of Wikipedia sentences: training and calibration data for `mtcheck train-qe`.

Usage: perturb.py MLQE_PE_CLONE OUTDIR [--seed N] [--per-pair K] [--split train|dev]

MLQE_PE_CLONE is a clone of https://github.com/sheffieldnlp/mlqe-pe (CC0); its post-editing
archives (`data/post-editing/<split>/<pair>-<split>.tar.gz`: source sentences, machine
translations and their human post-edits) are read, never the test ones. Each post-edit is a
translation a person checked, so it stands as the good translation. For K sentences per language
pair (en-de, en-zh, et-en, ne-en, ro-en, ru-en, si-en), about half are written as they are
(label OK) and half with one critical error in the translation (label BAD, kind in `subtype`):

  negation   English targets: "is" <-> "is not", "can" <-> "cannot" (devset/meaning.py's rule);
  antonym    English targets: an adjective or adverb swapped for its WordNet antonym
             (/usr/share/wordnet from Debian's `wordnet-base`);
  entity     a capitalised word inside the sentence swapped for one of another sentence;
  number     a number changed;
  addition   words from another sentence of the pair inserted at a comma or before the end;
  omission   a clause between commas, or three to six words, deleted.

With --replaced, writes OUTDIR/replaced-<pair>-<split>.tsv instead, where the BAD half has as
its target the post-edit of another sentence of the pair (a replaced or hallucinated sentence,
what the rules above never make).

Writes OUTDIR/perturbed-<pair>-<split>.tsv (id, source, target, label, subtype). The
tokenised text of the data is detokenised with simple rules. Standard library only; the same
input and seed give the same output.
"""
import argparse
import io
import os
import random
import re
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from meaning import NAME, NUMBER, toggle  # noqa: E402
from wordnet import antonym_pointers  # noqa: E402

PAIRS = ["en-de", "en-zh", "et-en", "ne-en", "ro-en", "ru-en", "si-en"]
WORDNET = "/usr/share/wordnet"


def detok(s):
    s = " ".join(s.split())
    s = re.sub(r" ([,.;:!?%)\]}])", r"\1", s)
    s = re.sub(r"([(\[{]) ", r"\1", s)
    s = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", s)
    s = re.sub(r'" (.*?) "', r'"\1"', s)
    s = re.sub(r" ([，。；：！？、）])", r"\1", s)
    return s


def antonyms():
    """Single-word adjective and adverb antonyms from WordNet's data files."""
    table = {}
    for pos in ("adj", "adv"):
        if not os.path.isfile(os.path.join(WORDNET, f"data.{pos}")):
            continue
        for a, _, b, _ in antonym_pointers(WORDNET, pos):
            if "_" in a or "_" in b or len(a) < 3 or len(b) < 3:
                continue
            table.setdefault(a.lower(), set()).add(b.lower())
    return {k: sorted(v) for k, v in table.items()}


def read_pairs(clone, pair, split):
    path = f"data/post-editing/{split}/{pair}-{split}.tar.gz"
    blob = subprocess.run(
        ["git", "-C", clone, "show", f"HEAD:{path}"], capture_output=True, check=False
    ).stdout
    if not blob:
        blob = open(os.path.join(clone, path), "rb").read()
    files = {}
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.split("/")[-1] in (f"{split}.src", f"{split}.pe"):
                files[m.name.split("/")[-1].split(".")[-1]] = t.extractfile(m).read().decode("utf-8")
    src = files["src"].split("\n")
    pe = files["pe"].split("\n")
    return [(detok(s), detok(t)) for s, t in zip(src, pe) if s.strip() and t.strip()]


def perturb(kind, tgt, rng, pool, names, ants):
    """The target with one error of `kind`, or None where the sentence has no place for it."""
    if kind == "negation":
        new, snippets = toggle(tgt, rng, 1)
        return new if snippets else None
    if kind == "antonym":
        words = list(re.finditer(r"[A-Za-z]+", tgt))
        cands = [m for m in words if m.group(0).lower() in ants]
        if not cands:
            return None
        m = rng.choice(cands)
        a = rng.choice(ants[m.group(0).lower()])
        if m.group(0)[0].isupper():
            a = a[0].upper() + a[1:]
        return tgt[: m.start()] + a + tgt[m.end():]
    if kind == "entity":
        found = list(NAME.finditer(tgt))
        if not found:
            return None
        m = rng.choice(found)
        others = [n for n in rng.sample(names, min(50, len(names))) if n not in tgt]
        if not others:
            return None
        return tgt[: m.start()] + others[0] + tgt[m.end():]
    if kind == "number":
        found = list(NUMBER.finditer(tgt))
        if not found:
            return None
        m = rng.choice(found)
        old = int(m.group(0))
        new = old + rng.choice([1, 2, 3, 10]) if old < 1900 else old + rng.choice([-3, -1, 1, 2])
        return tgt[: m.start()] + str(new) + tgt[m.end():]
    if kind == "addition":
        donor = rng.choice(pool).rstrip(".。!?").split()
        if len(donor) < 5:
            return None
        k = rng.randrange(0, len(donor) - 4)
        piece = " ".join(donor[k: k + rng.randint(4, min(8, len(donor) - k))])
        commas = [m.end() for m in re.finditer(r"[,，] ", tgt)]
        if commas:
            at = rng.choice(commas)
            return tgt[:at] + piece + ", " + tgt[at:]
        end = len(tgt.rstrip(".。!? "))
        return tgt[:end] + ", " + piece + tgt[end:]
    if kind == "replaced":
        other = rng.choice(pool)
        return other if other != tgt else None
    if kind == "omission":
        clauses = [m for m in re.finditer(r"[,，][^,，]{12,}?(?=[,，.。])", tgt)]
        if clauses:
            m = rng.choice(clauses)
            return tgt[: m.start()] + tgt[m.end():]
        words = tgt.split(" ")
        if len(words) < 10:
            return None
        n = rng.randint(3, 6)
        k = rng.randrange(1, len(words) - n - 1)
        return " ".join(words[:k] + words[k + n:])
    raise ValueError(kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clone")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-pair", type=int, default=1000)
    ap.add_argument("--split", default="train", choices=["train", "dev"])
    ap.add_argument("--replaced", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    ants = antonyms()
    if not ants:
        print(f"warning: no WordNet data under {WORDNET}: no antonyms", file=sys.stderr)
    for pair in PAIRS:
        rng = random.Random(f"{a.seed}-{pair}-{a.split}")
        rows = read_pairs(a.clone, pair, a.split)
        rng.shuffle(rows)
        rows = rows[: a.per_pair]
        pool = [t for _, t in rows]
        names = sorted({m.group(0) for t in pool for m in NAME.finditer(t)})
        english = pair.endswith("-en")
        kinds = ["entity", "number", "addition", "omission"]
        if english:
            kinds += ["negation", "antonym"]
        if a.replaced:
            kinds = ["replaced"]
        prefix = "replaced" if a.replaced else "perturbed"
        dest = os.path.join(a.out, f"{prefix}-{pair}-{a.split}.tsv")
        counts = {}
        with open(dest + ".tmp", "w", encoding="utf-8") as f:
            f.write("id\tsource\ttarget\tlabel\tsubtype\n")
            for i, (src, tgt) in enumerate(rows):
                label, subtype, out = "OK", "", tgt
                if rng.random() < 0.5:
                    order = kinds[:]
                    rng.shuffle(order)
                    for kind in order:
                        new = perturb(kind, tgt, rng, pool, names, ants)
                        if new and new != tgt:
                            label, subtype, out = "BAD", kind, new
                            break
                counts[subtype or "OK"] = counts.get(subtype or "OK", 0) + 1
                f.write(f"{pair}-{a.split}-{i}\t{src}\t{out}\t{label}\t{subtype}\n")
        os.replace(dest + ".tmp", dest)
        print(dest, dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
