#!/usr/bin/env python3
"""Writes src/text/english-antonyms.txt: English words and their antonyms, from WordNet 3.0's
direct antonym pointers (Debian's wordnet-base, /usr/share/wordnet), for the antonym probe
(src/checks/antonym.rs). A pair is kept where both words are single words of three letters or
more and the antonym sense is among the two most frequent senses of each word (WordNet orders a
word's senses by frequency): "strong"/"weak" stays, "still"/"sparkling" (of wine) and "safe"/"out"
(of baseball) do not. A word with several antonyms keeps the one WordNet's sense-tagged
corpus counts most often (cntlist.rev), so that each word costs the check one probe. Nouns also
get their plural in -s, verbs their -s, -ed and -ing forms where both words are regular. "there"/"here" is left out: "there" is mostly the empty subject of
"there is", and the auxiliaries "have", "do" and "being" too.

WordNet 3.0 licence (Princeton University): permission to use, copy, modify and distribute this
software and database and its documentation for any purpose and without fee or royalty is hereby
granted, provided that the copyright notice and these statements appear on all copies.
Copyright 2006 by Princeton University. All rights reserved.

usage: devset/english_antonyms.py [WORDNET_DIR] > src/text/english-antonyms.txt"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from english_words import print_licence  # noqa: E402
from wordnet import antonym_pointers  # noqa: E402

root = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
TOP = 2
LEFT_OUT = {"there", "here", "have", "has", "had", "having", "being", "been", "do", "does", "did"}


def sense_ranks(pos):
    """(lemma, synset offset) -> the sense's rank among the lemma's senses (0 = most frequent)."""
    ranks = {}
    for line in open(f"{root}/index.{pos}", encoding="latin-1"):
        if line.startswith("  "):
            continue
        p = line.split()
        pointers = int(p[3])
        for i, off in enumerate(p[4 + pointers + 2:]):
            ranks[(p[0], off)] = i
    return ranks


def irregular(pos):
    """Inflected forms WordNet lists as exceptions (lemma -> forms), so they are not made up."""
    forms = {}
    for line in open(f"{root}/{pos}.exc", encoding="latin-1"):
        p = line.split()
        if len(p) >= 2:
            forms.setdefault(p[1], set()).add(p[0])
    return forms


def inflect(pos, a, b, irregulars):
    """Regular inflected pairs of a and b for nouns and verbs (none when either is irregular)."""
    if pos not in ("noun", "verb") or a in irregulars or b in irregulars:
        return []
    def forms(w):
        y = w.endswith("y") and w[-2:-1] not in ("a", "e", "i", "o", "u")
        plural = w[:-1] + "ies" if y else w + ("es" if w.endswith(("s", "x", "ch", "sh")) else "s")
        if pos == "noun":
            return [plural]
        stem = w[:-1] if w.endswith("e") else w
        past = w[:-1] + "ied" if y else stem + "ed"
        return [plural, past, w + "ing"]
    return list(zip(forms(a), forms(b)))


def lemma_counts():
    """How often WordNet's sense-tagged corpus has each lemma (cntlist.rev: key, sense, count)."""
    counts = {}
    for line in open(f"{root}/cntlist.rev", encoding="latin-1"):
        p = line.split()
        if len(p) == 3:
            lemma = p[0].split("%")[0]
            counts[lemma] = counts.get(lemma, 0) + int(p[2])
    return counts


counts = lemma_counts()
pairs = set()
for pos in ["adj", "adv", "noun", "verb"]:
    ranks = sense_ranks(pos)
    irregulars = irregular(pos) if pos in ("noun", "verb") else {}
    for a, here, b, there in antonym_pointers(root, pos):
        if not (a.isalpha() and b.isalpha() and a.islower() and b.islower()):
            continue
        if len(a) < 3 or len(b) < 3 or a in LEFT_OUT or b in LEFT_OUT:
            continue
        if ranks.get((a, here), TOP) >= TOP or ranks.get((b, there), TOP) >= TOP:
            continue
        for x, y in [(a, b)] + inflect(pos, a, b, irregulars):
            # The base pair's antonym count ranks the inflected forms' antonyms too.
            pairs.add((x, y, counts.get(b, 0)))

best = {}  # word -> its most frequent antonym (ties: the first alphabetically)
for a, b, n in sorted(pairs, key=lambda p: (p[0], -p[2], p[1])):
    best.setdefault(a, (b, n))

print("# English words and their antonyms (word, tab, antonym), from WordNet 3.0's antonym")
print("# pointers; written by devset/english_antonyms.py from Debian's wordnet-base.")
print("# WordNet's licence, as it requires on all copies:")
print("#")
print_licence(root)
for a in sorted(best):
    print(f"{a}\t{best[a][0]}")
